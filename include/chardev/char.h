/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Character devices: the back ends of serial ports and debug consoles.
 *
 * A Chardev is a back end (stdio, file, socket, pty, null, mux). A device
 * talks to it through a CharBackend embedded in the device state
 * (chr_fe_*). Input arrives in the main loop (with the BQL held) and is
 * offered to the front end only as far as it can take it (can_receive);
 * when the front end has room again it calls chr_fe_accept_input().
 *
 * Spellings follow QEMU: "-chardev socket,id=c0,host=...,port=...,server=on,
 * wait=off" and the legacy "-serial tcp::4444,server,nowait",
 * "-serial file:out.txt", "-serial stdio", "-serial mon:stdio", "pty",
 * "null", "none", "unix:/path,server".
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include "ember/osdep.h"

typedef struct Chardev Chardev;
typedef struct CharBackend CharBackend;
typedef struct Opts Opts;

typedef enum ChrEvent {
    CHR_EVENT_OPENED,       /* a peer connected (socket), or at start */
    CHR_EVENT_CLOSED,
    CHR_EVENT_BREAK,        /* serial break (Ctrl-A b) */
    CHR_EVENT_MUX_IN,       /* this front end got the mux focus */
    CHR_EVENT_MUX_OUT,
} ChrEvent;

typedef int ChrCanReceive(void *opaque);
typedef void ChrReceive(void *opaque, const uint8_t *buf, int size);
typedef void ChrEventHandler(void *opaque, ChrEvent event);

struct CharBackend {
    Chardev *chr;
    ChrCanReceive *can_receive;
    ChrReceive *receive;
    ChrEventHandler *event;
    void *opaque;
    int tag;                /* index in a mux */
};

typedef struct ChardevClass {
    const char *name;       /* "stdio", "file", "socket" ... */
    size_t instance_size;
    /* Parse options and open. Opts has the -chardev keys (id removed). */
    bool (*open)(Chardev *chr, Opts *opts, GError **errp);
    /*
     * Write from the front end; returns bytes taken (may be fewer; 0 if
     * it would block), or -1 if the back end is gone (data dropped).
     */
    int (*write)(Chardev *chr, const uint8_t *buf, int len);
    /* The front end can take input again. */
    void (*accept_input)(Chardev *chr);
    /* A front end attached or detached (mux uses it). */
    bool (*fe_attach)(Chardev *chr, CharBackend *be, GError **errp);
    void (*fe_detach)(Chardev *chr, CharBackend *be);
    void (*close)(Chardev *chr);
    /* Legacy spelling "name:rest" -> options; NULL if none. */
    bool (*parse_legacy)(const char *rest, Opts *opts, GError **errp);
} ChardevClass;

struct Chardev {
    const ChardevClass *cls;
    char *label;
    CharBackend *be;        /* the front end (NULL until attached) */
    bool be_open;           /* peer connected (sockets) */
    GMutex write_lock;
};

void chardev_register(const ChardevClass *cls);
/* -chardev BACKEND,id=ID,... */
Chardev *chardev_new_from_opts(Opts *opts, GError **errp);
/* -serial SPEC and friends: "stdio", "file:x", "tcp:...", "none"... The
 * result is NULL with no error for "none". */
Chardev *chardev_new_legacy(const char *label, const char *spec,
                            GError **errp);
Chardev *chardev_find(const char *label);
void chardev_list_backends(FILE *f);
/* Close every back end (restores the terminal). Safe to call twice. */
void chardev_cleanup_all(void);

/* Front-end side. */
bool chr_fe_init(CharBackend *be, Chardev *chr, GError **errp);
void chr_fe_deinit(CharBackend *be);
static inline bool chr_fe_backend_connected(CharBackend *be)
{
    return be->chr != NULL;
}
void chr_fe_set_handlers(CharBackend *be, ChrCanReceive *can_receive,
                         ChrReceive *receive, ChrEventHandler *event,
                         void *opaque);
/* Write as much as the back end takes now; returns that count. */
int chr_fe_write(CharBackend *be, const uint8_t *buf, int len);
/* Write everything, waiting if needed; returns len or -1. */
int chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len);
void chr_fe_accept_input(CharBackend *be);

/* Back-end side. */
int chr_be_can_write(Chardev *chr);
void chr_be_write(Chardev *chr, const uint8_t *buf, int len);
void chr_be_event(Chardev *chr, ChrEvent event);

/* Helpers for fd-based back ends (chardev/char-fd.c). */
typedef struct ChardevFd {
    Chardev parent;
    int fd_in, fd_out;
    GSource *watch;         /* input watch while the front end has room */
    bool eof;
} ChardevFd;
void chardev_fd_attach(ChardevFd *s, int fd_in, int fd_out);
int chardev_fd_write(Chardev *chr, const uint8_t *buf, int len);
void chardev_fd_accept_input(Chardev *chr);
void chardev_fd_close(Chardev *chr);
/* Write everything to a (possibly non-blocking) fd. */
int chardev_write_all_fd(int fd, const uint8_t *buf, int len);

#endif
