#ifndef MAPK_CZLIB_SHIM_H
#define MAPK_CZLIB_SHIM_H

#include <zlib.h>

/// Starts a raw deflate stream (no zlib or gzip wrapper, as in a ZIP member).
/// `inflateInit2` is a macro, which Swift cannot call.
static inline int mapk_inflate_init_raw(z_stream *stream) {
  return inflateInit2(stream, -MAX_WBITS);
}

#endif
