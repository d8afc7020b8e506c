// Compiles `mapk.h` as C (SwiftPM needs a source file in a C target), so a
// header that is not valid C fails the build, not a caller's.
#include "mapk.h"
