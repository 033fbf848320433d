/*
 * compiler.h: compiler helpers.
 */
#ifndef QEMU_COMPILER_H
#define QEMU_COMPILER_H

/*
 * IS_ENABLED(CONFIG_X) is 1 when config-host.h has "#define CONFIG_X" (an
 * empty definition, the form every boolean there takes) or a per-target
 * header has "#define CONFIG_X 1", and 0 when it is #undef'd or not defined.
 * Unlike #ifdef it is an expression, so code under it is always compiled and
 * type-checked; the optimiser drops the dead branch.
 *
 * How: the symbol is expanded first.  An empty expansion pastes into
 * QEMU_ENABLED_MARK_, and "1" into QEMU_ENABLED_MARK_1, which expand to
 * "~, 1" and shift 1 into the second argument slot; anything else pastes
 * into an unknown name and the 0 that follows it stays second.
 */
#define QEMU_ENABLED_MARK_ ~, 1
#define QEMU_ENABLED_MARK_1 ~, 1
#define QEMU_SECOND_ARG_(first, second, ...) second
#define QEMU_SECOND_ARG(...) QEMU_SECOND_ARG_(__VA_ARGS__)
#define QEMU_IS_ENABLED_(expanded) QEMU_SECOND_ARG(QEMU_ENABLED_MARK_##expanded, 0, ~)
#define IS_ENABLED(sym) QEMU_IS_ENABLED_(sym)

/* The text a macro expands to, as a string literal ("" for an empty definition). */
#define QEMU_STRINGIFY_(...) #__VA_ARGS__
#define QEMU_STRINGIFY(...) QEMU_STRINGIFY_(__VA_ARGS__)

#define QEMU_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * QEMU_PRINTF(fmt, first): the function formats as printf does.  On Windows
 * the compiler's "printf" means the Microsoft C library's format language;
 * the core formats with mingw's C99 functions (__USE_MINGW_ANSI_STDIO, set
 * in osdep.h), whose language is GNU's, as GLib's G_GNUC_PRINTF says.
 */
#ifdef _WIN32
#define QEMU_PRINTF(fmt, first) __attribute__((format(gnu_printf, fmt, first)))
#else
#define QEMU_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#endif

#endif /* QEMU_COMPILER_H */
