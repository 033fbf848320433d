/*
 * object-pool.c: see qemu/object-pool.h.
 */
#include "qemu/osdep.h"
#include "qemu/object-pool.h"

typedef struct FreeObject {
    struct FreeObject *next;
} FreeObject;

struct ObjectPool {
    size_t object_size;
    size_t max_free;
    size_t free_count;
    size_t allocations;
    FreeObject *free_list;
};

ObjectPool *object_pool_new(size_t object_size, size_t max_free)
{
    ObjectPool *pool = calloc(1, sizeof(*pool));
    if (pool) {
        pool->object_size = object_size < sizeof(FreeObject) ? sizeof(FreeObject) : object_size;
        pool->max_free = max_free;
    }
    return pool;
}

void object_pool_free(ObjectPool *pool)
{
    if (!pool) {
        return;
    }
    while (pool->free_list) {
        FreeObject *next = pool->free_list->next;
        free(pool->free_list);
        pool->free_list = next;
    }
    free(pool);
}

void *object_pool_get(ObjectPool *pool)
{
    if (IS_ENABLED(CONFIG_COROUTINE_POOL) && pool->free_list) {
        FreeObject *object = pool->free_list;
        pool->free_list = object->next;
        pool->free_count--;
        return object;
    }
    pool->allocations++;
    return malloc(pool->object_size);
}

void object_pool_put(ObjectPool *pool, void *object)
{
    if (IS_ENABLED(CONFIG_COROUTINE_POOL) && pool->free_count < pool->max_free) {
        FreeObject *entry = object;
        entry->next = pool->free_list;
        pool->free_list = entry;
        pool->free_count++;
        return;
    }
    free(object);
}

size_t object_pool_allocations(const ObjectPool *pool)
{
    return pool->allocations;
}

size_t object_pool_free_count(const ObjectPool *pool)
{
    return pool->free_count;
}
