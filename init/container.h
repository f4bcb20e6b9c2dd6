/* Container mode: `nsinit [OPTIONS] -- CMD`, a drop-in for `tini --`. */
#ifndef NSINIT_CONTAINER_H
#define NSINIT_CONTAINER_H

struct options;
int container_main(const struct options *o);

#endif
