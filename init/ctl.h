/* `nsinit ctl`: the control client. */
#ifndef NSINIT_CTL_H
#define NSINIT_CTL_H

int ctl_main(int argc, char **argv);

#endif
