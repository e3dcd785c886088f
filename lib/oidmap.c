/*
 * Open addressing on the id's own bytes: object ids are already uniformly
 * distributed, so they need no hash function.
 */
#include <stdlib.h>
#include <string.h>

#include "oidmap.h"
#include "sghook.h"

struct oidmap_slot {
	unsigned char id[GIT_OID_RAWSZ];
	uint32_t val;   /* value + 1; 0 marks an empty slot, so UINT32_MAX cannot be stored */
};

int sghook_oidmap_init(sghook_oidmap *map)
{
	map->cap = 1024;
	map->count = 0;
	if (!(map->slots = calloc(map->cap, sizeof(*map->slots))))
		return sghook_error_set("out of memory");
	return 0;
}

void sghook_oidmap_free(sghook_oidmap *map)
{
	free(map->slots);
	memset(map, 0, sizeof(*map));
}

static struct oidmap_slot *find(struct oidmap_slot *slots, size_t cap,
	const unsigned char *id)
{
	size_t i;

	memcpy(&i, id, sizeof(i));
	for (i &= cap - 1; slots[i].val; i = (i + 1) & (cap - 1))
		if (!memcmp(slots[i].id, id, GIT_OID_RAWSZ))
			break;
	return &slots[i];
}

int sghook_oidmap_get(const sghook_oidmap *map, const git_oid *id,
	uint32_t *val)
{
	struct oidmap_slot *s = find(map->slots, map->cap, id->id);

	if (!s->val)
		return 0;
	*val = s->val - 1;
	return 1;
}

static int grow(sghook_oidmap *map)
{
	size_t cap = map->cap * 2, i;
	struct oidmap_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return sghook_error_set("out of memory");
	for (i = 0; i < map->cap; i++)
		if (map->slots[i].val)
			*find(slots, cap, map->slots[i].id) = map->slots[i];
	free(map->slots);
	map->slots = slots;
	map->cap = cap;
	return 0;
}

int sghook_oidmap_put(sghook_oidmap *map, const git_oid *id, uint32_t val)
{
	struct oidmap_slot *s;
	int error;

	if (val == UINT32_MAX)
		return sghook_error_set_code(SGHOOK_EINVALID,
			"an id map cannot hold the value %u", val);
	/* Kept under 3/4 full, so that probes stay short. */
	if ((map->count + 1) * 4 > map->cap * 3 && (error = grow(map)) < 0)
		return error;
	s = find(map->slots, map->cap, id->id);
	if (s->val)
		return 1;
	memcpy(s->id, id->id, GIT_OID_RAWSZ);
	s->val = val + 1;
	map->count++;
	return 0;
}
