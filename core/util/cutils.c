/*
 * cutils.c: the executable's directory, relocated install paths, error messages.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"

#include <stdarg.h>

#ifdef CONFIG_WIN32
#include <windows.h>
#define DIR_SEP_CHARS "/\\"
#else
#include <unistd.h>
#define DIR_SEP_CHARS "/"
#endif

static char *exec_dir;

/* access(path, R_OK) == 0, as QEMU tests for the bundle; mingw has no R_OK, and every file there is readable. */
static bool is_readable(const char *path)
{
#ifdef CONFIG_WIN32
    return GetFileAttributesA(path) != INVALID_FILE_ATTRIBUTES;
#else
    return access(path, R_OK) == 0;
#endif
}

static bool is_sep(char c)
{
    return c && strchr(DIR_SEP_CHARS, c) != NULL;
}

static char *dirname_of(const char *path)
{
    const char *end = path + strlen(path);
    while (end > path && !is_sep(end[-1])) {
        end--;
    }
    while (end > path + 1 && is_sep(end[-1])) {
        end--;
    }
    if (end == path) {
        return strdup(".");
    }
    size_t len = (size_t)(end - path);
    char *dir = malloc(len + 1);
    if (dir) {
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    return dir;
}

void qemu_init_exec_dir(const char *argv0)
{
    char buf[PATH_MAX];
    char *found = NULL;

#if defined(CONFIG_LINUX)
    ssize_t len = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (len > 0) {
        buf[len] = '\0';
        found = dirname_of(buf);
    }
#elif defined(CONFIG_WIN32)
    DWORD len = GetModuleFileNameA(NULL, buf, sizeof(buf));
    if (len > 0 && len < sizeof(buf)) {
        found = dirname_of(buf);
    }
#endif
#ifndef CONFIG_WIN32
    if (!found && argv0 && realpath(argv0, buf)) {
        found = dirname_of(buf);
    }
#else
    (void)argv0;
#endif
    free(exec_dir);
    exec_dir = found ? found : strdup(CONFIG_BINDIR);
}

void qemu_set_exec_dir(const char *dir)
{
    char *copy = strdup(dir);
    if (copy) {
        free(exec_dir);
        exec_dir = copy;
    }
}

const char *qemu_get_exec_dir(void)
{
    if (!exec_dir) {
        qemu_init_exec_dir(NULL);
    }
    return exec_dir;
}

/* If path starts with prefix followed by the end or a separator, the rest; else NULL. */
static const char *after_prefix(const char *path, const char *prefix)
{
    size_t len = strlen(prefix);
    while (len > 0 && is_sep(prefix[len - 1])) {
        len--;
    }
    if (strncmp(path, prefix, len) != 0) {
        return NULL;
    }
    if (path[len] && !is_sep(path[len])) {
        return NULL;
    }
    return path + len;
}

/* Advance past separators and "." components; return the next component's length (0 at the end). */
static size_t next_component(const char **p)
{
    for (;;) {
        while (is_sep(**p)) {
            (*p)++;
        }
        size_t len = strcspn(*p, DIR_SEP_CHARS);
        if (len == 1 && **p == '.') {
            (*p)++;
            continue;
        }
        return len;
    }
}

static void append(char *buf, size_t size, const char *text, size_t len)
{
    size_t used = strlen(buf);
    if (used + len + 1 > size) {
        len = size > used + 1 ? size - used - 1 : 0;
    }
    memcpy(buf + used, text, len);
    buf[used + len] = '\0';
}

char *get_relocated_path(const char *dir)
{
    const char *exec = qemu_get_exec_dir();
    size_t size = strlen(exec) + strlen(dir) + strlen(CONFIG_BINDIR) * 2 + 32;
    char *out = calloc(1, size);
    if (!out) {
        return NULL;
    }

    /* In a build tree, the files live in <exec_dir>/qemu-bundle<dir>. */
    append(out, size, exec, strlen(exec));
    append(out, size, "/qemu-bundle", strlen("/qemu-bundle"));
    if (is_readable(out)) {
        append(out, size, dir, strlen(dir));
        return out;
    }

    const char *dir_rest = after_prefix(dir, CONFIG_PREFIX);
    const char *bin_rest = after_prefix(CONFIG_BINDIR, CONFIG_PREFIX);
    if (!IS_ENABLED(CONFIG_RELOCATABLE) || !dir_rest || !bin_rest) {
        free(out);
        return strdup(dir);
    }

    /* Skip what dir and bindir share below the prefix, climb out of the rest of bindir. */
    for (;;) {
        const char *d = dir_rest, *b = bin_rest;
        size_t dlen = next_component(&d);
        size_t blen = next_component(&b);
        if (!dlen || dlen != blen || strncmp(d, b, dlen) != 0) {
            dir_rest = d;
            bin_rest = b;
            break;
        }
        dir_rest = d + dlen;
        bin_rest = b + blen;
    }
    out[0] = '\0';
    append(out, size, exec, strlen(exec));
    for (size_t len; (len = next_component(&bin_rest)) != 0; bin_rest += len) {
        append(out, size, "/..", 3);
    }
    if (*dir_rest) {
        append(out, size, "/", 1);
        append(out, size, dir_rest, strlen(dir_rest));
    }
    return out;
}

int qemu_getloadavg(double loadavg[], int nelem)
{
#ifdef CONFIG_GETLOADAVG
    return getloadavg(loadavg, nelem);
#else
    (void)loadavg;
    (void)nelem;
    return -1;
#endif
}

int qemu_set_error(char **errp, int err, const char *fmt, ...)
{
    va_list ap;
    int len;

    if (!errp) {
        return err;
    }
    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    *errp = len < 0 ? NULL : malloc((size_t)len + 1);
    if (*errp) {
        va_start(ap, fmt);
        vsnprintf(*errp, (size_t)len + 1, fmt, ap);
        va_end(ap);
    }
    return err;
}
