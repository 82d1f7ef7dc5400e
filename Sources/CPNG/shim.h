#ifndef AGENCIA_CPNG_SHIM_H
#define AGENCIA_CPNG_SHIM_H
#include <png.h>
#endif
