#ifndef LAZYWHEEL_CZLIB_SHIM_H
#define LAZYWHEEL_CZLIB_SHIM_H
#include <zlib.h>
#endif
