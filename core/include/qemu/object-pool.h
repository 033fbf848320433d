/*
 * object-pool.h: a free list of fixed-size objects, as QEMU pools coroutines.
 *
 * Whether released objects are kept for reuse is IS_ENABLED(CONFIG_COROUTINE_POOL):
 * the pooling code is compiled (and type-checked) either way, only its use changes.
 */
#ifndef QEMU_OBJECT_POOL_H
#define QEMU_OBJECT_POOL_H

#include <stddef.h>

typedef struct ObjectPool ObjectPool;

ObjectPool *object_pool_new(size_t object_size, size_t max_free);
void object_pool_free(ObjectPool *pool);
void *object_pool_get(ObjectPool *pool);
void object_pool_put(ObjectPool *pool, void *object);

/* Objects obtained from malloc() so far (a pool that reuses keeps this low). */
size_t object_pool_allocations(const ObjectPool *pool);
/* Objects waiting on the free list. */
size_t object_pool_free_count(const ObjectPool *pool);

#endif
