#ifndef AGENCIA_CPOPPLER_SHIM_H
#define AGENCIA_CPOPPLER_SHIM_H
#include <poppler.h>
#endif
