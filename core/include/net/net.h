/*
 * net.h: the network backends (-netdev TYPE,...) compiled into this build.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stddef.h>

/*
 * The -netdev types compiled in, in the order "-netdev help" lists them:
 * stores a static array in *types and returns how many there are (0 when
 * every backend was compiled out).
 */
size_t netdev_backend_types(const char *const **types);

/*
 * The type of a -netdev string: its first element ("af-xdp" of
 * "af-xdp,id=n0,..."), or the value of its type= option.  Returns 0 and a
 * malloc'ed type in *typep, or -EINVAL with a message in *errp (freed with
 * free()) when the string names no type.  The type need not be compiled in.
 */
int netdev_spec_type(const char *spec, char **typep, char **errp);

/*
 * The element of a -netdev string that starts at *p, unescaped (",," is a
 * comma inside a value; a single comma ends the element), malloc'ed (NULL
 * when out of memory).  *p moves past the separating comma, or to NULL
 * after the last element.
 */
char *netdev_next_element(const char **p);

#endif /* NET_NET_H */
