/* Shutdown's file system step: unmount everything, read-only what is busy. */
#ifndef NSINIT_UNMOUNT_H
#define NSINIT_UNMOUNT_H

void unmount_all(void);

#endif
