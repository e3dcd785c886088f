/* A map from object id to a 32-bit value, for sets of millions of ids. */
#ifndef SGHOOK_OIDMAP_H
#define SGHOOK_OIDMAP_H

#include <stdint.h>
#include <git2.h>

typedef struct {
	struct oidmap_slot *slots;
	size_t cap, count;
} sghook_oidmap;

int sghook_oidmap_init(sghook_oidmap *map);
void sghook_oidmap_free(sghook_oidmap *map);
/* 1 and the value when present, 0 when absent. */
int sghook_oidmap_get(const sghook_oidmap *map, const git_oid *id,
	uint32_t *val);
/*
 * Stores `val` (below UINT32_MAX) unless `id` is present; returns 1 when
 * it was, and keeps the value stored first.
 */
int sghook_oidmap_put(sghook_oidmap *map, const git_oid *id, uint32_t val);

#endif
