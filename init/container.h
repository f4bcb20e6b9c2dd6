/* Container mode: `nsinit [OPTIONS] -- CMD`, a drop-in for `tini --`. */
#ifndef NSINIT_CONTAINER_H
#define NSINIT_CONTAINER_H

struct options;
int container_main(const struct options *o);
/* The signal to pass on to the command for SIG received with si_code
 * CODE (after -r), or 0 when the command is not to get it from us. */
int container_signal(int sig, int code);
/* At the very end: the terminal back to the shell's job that ran nsinit
 * (-g in a shell's foreground job). */
void container_end(void);

#endif
