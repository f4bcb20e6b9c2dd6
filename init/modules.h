/* Boot mode's kernel modules: `[init] modules`, loaded as modprobe would. */
#ifndef NSINIT_MODULES_H
#define NSINIT_MODULES_H

struct list;

/* Loads each module of names (str_item) with what it needs; a module that
 * cannot be loaded is logged and the others still load. */
void modules_load(const struct list *names);

#endif
