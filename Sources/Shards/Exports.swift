// MAPKShards is the library most users import: it brings the kernel along.
@_exported import MAPKKernel
