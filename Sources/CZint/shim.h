#ifndef AGENCIA_CZINT_SHIM_H
#define AGENCIA_CZINT_SHIM_H
#include <zint.h>

/* Whether the module at (row, col) of an encoded symbol is dark. zint keeps the matrix as bits
   in encoded_data (its own module_is_set macro is internal). */
static inline int agc_zint_module(const struct zint_symbol *s, int row, int col) {
    return (s->encoded_data[row][col >> 3] >> (col & 7)) & 1;
}
#endif
