#ifndef AGENCIA_CTURBOJPEG_SHIM_H
#define AGENCIA_CTURBOJPEG_SHIM_H
#include <turbojpeg.h>
#endif
