#ifndef AGENCIA_CCAIRO_SHIM_H
#define AGENCIA_CCAIRO_SHIM_H
#include <cairo/cairo.h>
#include <cairo/cairo-pdf.h>
#endif
