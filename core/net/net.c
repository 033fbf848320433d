/*
 * net.c: which network backends this build has, and the type of a -netdev
 * string.  Compiled in every build; each backend says whether it is real
 * or its stub.
 */
#include "qemu/osdep.h"
#include "net/net.h"
#include "net/af-xdp.h"

size_t netdev_backend_types(const char *const **types)
{
    static const char *compiled[1];
    size_t count = 0;

    if (af_xdp_available()) {
        compiled[count++] = AF_XDP_NETDEV_TYPE;
    }
    *types = compiled;
    return count;
}

char *netdev_next_element(const char **p)
{
    const char *s = *p;
    char *out = malloc(strlen(s) + 1);
    size_t n = 0;

    if (!out) {
        return NULL;
    }
    for (; *s; s++) {
        if (*s == ',') {
            if (s[1] != ',') {
                break;
            }
            s++;
        }
        out[n++] = *s;
    }
    out[n] = '\0';
    *p = *s ? s + 1 : NULL;
    return out;
}

int netdev_spec_type(const char *spec, char **typep, char **errp)
{
    const char *p = spec;
    bool first = true;

    *typep = NULL;
    while (p) {
        char *element = netdev_next_element(&p);
        if (!element) {
            return -ENOMEM;
        }
        if (!strncmp(element, "type=", 5) || (first && element[0] && !strchr(element, '='))) {
            size_t skip = strchr(element, '=') ? 5 : 0;
            if (element[skip]) {
                memmove(element, element + skip, strlen(element + skip) + 1);
                *typep = element;
                return 0;
            }
        }
        free(element);
        first = false;
    }
    if (errp) {
        *errp = strdup("the netdev string names no backend type: start it with the type, "
                       "e.g. af-xdp,id=net0,ifname=eth0 (list the types with -netdev help)");
    }
    return -EINVAL;
}
