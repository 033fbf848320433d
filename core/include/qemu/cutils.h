/*
 * cutils.h: small utilities of the core.
 */
#ifndef QEMU_CUTILS_H
#define QEMU_CUTILS_H

/*
 * Record argv[0] so that the executable's directory can be found where the
 * OS offers no better way.  Optional.
 */
void qemu_init_exec_dir(const char *argv0);

/* The directory holding the running executable (never NULL). */
const char *qemu_get_exec_dir(void);

/*
 * Set the directory that stands for the executable's, for code that is not
 * the executable: the Python extension, which relocates from where it is
 * installed, not from where the interpreter is.
 */
void qemu_set_exec_dir(const char *dir);

/*
 * Where an installed directory (one of the CONFIG_*DIR paths) is for this run:
 * in a relocatable install, the path relative to the executable's location,
 * so that an installed tree moved elsewhere still finds its data; otherwise
 * the configured absolute path.  Returns a newly allocated string.
 */
char *get_relocated_path(const char *dir);

/* getloadavg() where the host has it; -1 (as getloadavg's failure) where it does not. */
int qemu_getloadavg(double loadavg[], int nelem);

/*
 * The core's error convention: a failing call returns a negative errno and,
 * when errp is not NULL, stores a malloc'ed message there (the caller frees
 * it with free()).  qemu_set_error() formats that message and returns err,
 * for "return qemu_set_error(errp, -EINVAL, ...);".
 */
int qemu_set_error(char **errp, int err, const char *fmt, ...) QEMU_PRINTF(3, 4);

#endif /* QEMU_CUTILS_H */
