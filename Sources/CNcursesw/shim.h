#ifndef AGENCIA_CNCURSESW_SHIM_H
#define AGENCIA_CNCURSESW_SHIM_H
/* SwiftPM drops pkg-config's -D_XOPEN_SOURCE: without these the wide-character API vanishes. */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <stdio.h>
#include <langinfo.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <ncursesw/curses.h>

/* Swift 6 rejects the curses globals and does not import function-like macros: accessors. */
static inline WINDOW *agc_stdscr(void) { return stdscr; }
static inline int agc_lines(void) { return LINES; }
static inline int agc_cols(void) { return COLS; }
static inline int agc_colors(void) { return COLORS; }
static inline int agc_color_pairs(void) { return COLOR_PAIRS; }
static inline void agc_set_escdelay(int ms) { set_escdelay(ms); }
static inline int agc_key_f(int n) { return KEY_F(n); }
static inline attr_t agc_a_bold(void) { return A_BOLD; }
static inline attr_t agc_a_reverse(void) { return A_REVERSE; }
static inline attr_t agc_a_underline(void) { return A_UNDERLINE; }
static inline attr_t agc_a_dim(void) { return A_DIM; }
static inline attr_t agc_a_normal(void) { return A_NORMAL; }
static inline attr_t agc_a_standout(void) { return A_STANDOUT; }
static inline mmask_t agc_mouse_mask(void) {
    return BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED
        | BUTTON4_PRESSED | BUTTON5_PRESSED;
}
static inline int agc_is_click(mmask_t m) {
    return (m & (BUTTON1_RELEASED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)) != 0;
}
static inline int agc_is_wheel_up(mmask_t m) { return (m & BUTTON4_PRESSED) != 0; }
static inline int agc_is_wheel_down(mmask_t m) { return (m & BUTTON5_PRESSED) != 0; }
/* newterm on the process's stdin/stdout (the FILE globals are not importable in Swift 6). */
static inline SCREEN *agc_newterm(const char *term) { return newterm(term, stdout, stdin); }
/* The terminal's size as the kernel knows it (0 when unknown). */
static inline int agc_winsize(int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 0;
}
static inline int agc_has_colors(void) { return has_colors() ? 1 : 0; }

/* Put one character with attributes and colour pair at (y, x). */
static inline int agc_put(int y, int x, wchar_t ch, attr_t attr, short pair) {
    cchar_t cc;
    wchar_t wstr[2] = { ch, L'\0' };
    if (setcchar(&cc, wstr, attr, pair, NULL) == ERR) return ERR;
    return mvwadd_wch(stdscr, y, x, &cc);
}
static inline int agc_get_wch(wint_t *out) { return wget_wch(stdscr, out); }
static inline int agc_utf8_locale(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (cs[0] == 'U' || cs[0] == 'u') && (cs[1] == 'T' || cs[1] == 't') && (cs[2] == 'F' || cs[2] == 'f');
}
#endif
