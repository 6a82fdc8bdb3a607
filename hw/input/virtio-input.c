/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-input as an absolute pointer: "virtio-tablet-pci"
 * (include/hw/input/virtio-input.h; virtio 1.2, section 5.8).
 *
 * The tablet reports Linux input events: EV_ABS ABS_X/ABS_Y in
 * 0..0x7fff, EV_KEY BTN_LEFT/RIGHT/MIDDLE/SIDE/EXTRA, EV_REL REL_WHEEL,
 * each group closed by EV_SYN SYN_REPORT. It takes pointer events from
 * the UI (ui/input.h) once the driver has set DRIVER_OK; before that,
 * and after a reset, the front end sees no absolute pointer and falls
 * back to the PS/2 mouse. Events wait in a small queue while the driver
 * has no buffers; when it overflows, whole groups are dropped (oldest
 * first), so the guest never sees half a report.
 */
#include "ember/osdep.h"
#include "ember/log.h"
#include "hw/input/virtio-input.h"
#include "hw/virtio/virtio-pci.h"
#include "ui/input.h"
#include <linux/input.h>

#define VIRTIO_INPUT_QUEUE_SIZE 64
#define VIRTIO_INPUT_PENDING_MAX 256        /* events */

typedef struct VirtIOInputEvent {
    uint16_t type;
    uint16_t code;
    uint32_t value;
} VirtIOInputEvent;

typedef struct VirtIOInput {
    VirtIODevice vdev;
    VirtQueue *evt, *sts;
    uint8_t cfg[VIRTIO_INPUT_CFG_LEN];      /* the current answer */
    InputHandler handler;
    bool handler_on;
    GArray *pending;                        /* VirtIOInputEvent */
    unsigned last_buttons;
    int last_x, last_y;
} VirtIOInput;

typedef struct VirtIOTabletPCI {
    VirtIOPCIProxy proxy;
    VirtIOInput input;
} VirtIOTabletPCI;

static VirtIOInput *vinput(VirtIODevice *vdev)
{
    return container_of(vdev, VirtIOInput, vdev);
}

/* ---- configuration (5.8.4) ------------------------------------------------- */

static void set_bit_le(uint8_t *bitmap, unsigned bit)
{
    bitmap[bit / 8] |= 1u << (bit % 8);
}

/* Fill the answer for (select, subsel) and its size. */
static void virtio_input_answer(VirtIOInput *s)
{
    uint8_t sel = s->cfg[VIRTIO_INPUT_CFG_SELECT];
    uint8_t sub = s->cfg[VIRTIO_INPUT_CFG_SUBSEL];
    uint8_t *u = s->cfg + VIRTIO_INPUT_CFG_U;
    unsigned size = 0;

    memset(u, 0, VIRTIO_INPUT_CFG_U_LEN);
    switch (sel) {
    case VIRTIO_INPUT_CFG_ID_NAME:
        size = strlen(VIRTIO_TABLET_NAME);
        memcpy(u, VIRTIO_TABLET_NAME, size);
        break;
    case VIRTIO_INPUT_CFG_ID_SERIAL:
        size = strlen("ember-tablet");
        memcpy(u, "ember-tablet", size);
        break;
    case VIRTIO_INPUT_CFG_ID_DEVIDS:
        /* struct virtio_input_devids: bustype, vendor, product, version */
        stw_le_p(u + 0, BUS_VIRTUAL);
        stw_le_p(u + 2, 0x0627);
        stw_le_p(u + 4, 0x0003);
        stw_le_p(u + 6, 0x0001);
        size = 8;
        break;
    case VIRTIO_INPUT_CFG_EV_BITS:
        switch (sub) {
        case EV_KEY:
            set_bit_le(u, BTN_LEFT);
            set_bit_le(u, BTN_RIGHT);
            set_bit_le(u, BTN_MIDDLE);
            set_bit_le(u, BTN_SIDE);
            set_bit_le(u, BTN_EXTRA);
            size = BTN_EXTRA / 8 + 1;
            break;
        case EV_REL:
            set_bit_le(u, REL_WHEEL);
            size = REL_WHEEL / 8 + 1;
            break;
        case EV_ABS:
            set_bit_le(u, ABS_X);
            set_bit_le(u, ABS_Y);
            size = 1;
            break;
        }
        break;
    case VIRTIO_INPUT_CFG_ABS_INFO:
        if (sub == ABS_X || sub == ABS_Y) {
            /* struct virtio_input_absinfo: min, max, fuzz, flat, res */
            stl_le_p(u + 0, 0);
            stl_le_p(u + 4, VIRTIO_TABLET_ABS_MAX);
            size = 20;
        }
        break;
    default:
        /* UNSET, PROP_BITS (none) and anything unknown: size 0. */
        break;
    }
    s->cfg[VIRTIO_INPUT_CFG_SIZE] = size;
}

static void virtio_input_get_config(VirtIODevice *vdev, uint8_t *config)
{
    memcpy(config, vinput(vdev)->cfg, VIRTIO_INPUT_CFG_LEN);
}

static void virtio_input_set_config(VirtIODevice *vdev,
                                    const uint8_t *config)
{
    VirtIOInput *s = vinput(vdev);

    /* Only select and subsel are the driver's to write. */
    s->cfg[VIRTIO_INPUT_CFG_SELECT] = config[VIRTIO_INPUT_CFG_SELECT];
    s->cfg[VIRTIO_INPUT_CFG_SUBSEL] = config[VIRTIO_INPUT_CFG_SUBSEL];
    virtio_input_answer(s);
}

/* ---- events ------------------------------------------------------------------ */

/* Hand the queued events to the driver's buffers, one event each. */
static void virtio_input_flush(VirtIOInput *s)
{
    VirtIODevice *vdev = &s->vdev;
    unsigned sent = 0;

    if (!virtio_driver_ok(vdev) || vdev->broken) {
        return;
    }
    while (sent < s->pending->len) {
        VirtIOInputEvent *ev = &g_array_index(s->pending, VirtIOInputEvent,
                                              sent);
        VirtQueueElement *e = virtqueue_pop(s->evt, sizeof(*e));
        uint8_t buf[VIRTIO_INPUT_EVENT_SIZE];

        if (!e) {
            break;
        }
        if (e->in_len < VIRTIO_INPUT_EVENT_SIZE || e->out_num) {
            virtqueue_detach_element(s->evt, e, 0);
            g_free(e);
            virtio_error(vdev, "virtio-input: an event buffer must be one "
                         "device-writable buffer of 8 bytes or more");
            break;
        }
        stw_le_p(buf, ev->type);
        stw_le_p(buf + 2, ev->code);
        stl_le_p(buf + 4, ev->value);
        virtio_iov_from_buf(e->in_sg, e->in_num, 0, buf, sizeof(buf));
        virtqueue_push(s->evt, e, sizeof(buf));
        g_free(e);
        sent++;
    }
    if (sent) {
        g_array_remove_range(s->pending, 0, sent);
        virtio_notify(vdev, s->evt);
    }
}

static void virtio_input_queue(VirtIOInput *s, uint16_t type, uint16_t code,
                               uint32_t value)
{
    VirtIOInputEvent ev = { type, code, value };

    g_array_append_val(s->pending, ev);
}

/* A report is complete: send it, or keep it while there is room. */
static void virtio_input_sync(VirtIOInput *s)
{
    virtio_input_queue(s, EV_SYN, SYN_REPORT, 0);
    while (s->pending->len > VIRTIO_INPUT_PENDING_MAX) {
        /* Drop the oldest report, up to and including its SYN. */
        unsigned i = 0;
        while (i < s->pending->len &&
               g_array_index(s->pending, VirtIOInputEvent, i).type != EV_SYN) {
            i++;
        }
        g_array_remove_range(s->pending, 0, MIN(i + 1, s->pending->len));
    }
    virtio_input_flush(s);
}

static void virtio_tablet_event(void *opaque, const InputEvent *ev)
{
    static const struct {
        unsigned bit;
        uint16_t code;
    } buttons[] = {
        { INPUT_BUTTON_LEFT, BTN_LEFT }, { INPUT_BUTTON_RIGHT, BTN_RIGHT },
        { INPUT_BUTTON_MIDDLE, BTN_MIDDLE }, { INPUT_BUTTON_SIDE, BTN_SIDE },
        { INPUT_BUTTON_EXTRA, BTN_EXTRA },
    };
    VirtIOInput *s = opaque;
    unsigned changed;

    if (ev->type != INPUT_EVENT_ABS) {
        return;
    }
    if (ev->x != s->last_x || ev->y != s->last_y) {
        virtio_input_queue(s, EV_ABS, ABS_X, ev->x);
        virtio_input_queue(s, EV_ABS, ABS_Y, ev->y);
        s->last_x = ev->x;
        s->last_y = ev->y;
    }
    changed = ev->buttons ^ s->last_buttons;
    for (unsigned i = 0; i < ARRAY_SIZE(buttons); i++) {
        if (changed & buttons[i].bit) {
            virtio_input_queue(s, EV_KEY, buttons[i].code,
                               !!(ev->buttons & buttons[i].bit));
        }
    }
    s->last_buttons = ev->buttons;
    if (ev->dz) {
        /* REL_WHEEL counts away from the user; dz towards. */
        virtio_input_queue(s, EV_REL, REL_WHEEL, (uint32_t)-ev->dz);
    }
    virtio_input_sync(s);
}

/* The driver added event buffers. */
static void virtio_input_handle_evt(VirtIODevice *vdev, VirtQueue *vq)
{
    virtio_input_flush(vinput(vdev));
}

/* Status events (LEDs ...): a tablet has none to show; consume them. */
static void virtio_input_handle_sts(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtQueueElement *e;

    while ((e = virtqueue_pop(vq, sizeof(*e)))) {
        virtqueue_push(vq, e, 0);
        g_free(e);
    }
    virtio_notify(vdev, vq);
}

static void virtio_input_set_status(VirtIODevice *vdev, uint8_t status)
{
    VirtIOInput *s = vinput(vdev);

    if ((status & VIRTIO_CONFIG_S_DRIVER_OK) && !s->handler_on) {
        input_handler_register(&s->handler);
        s->handler_on = true;
        virtio_input_flush(s);
    }
}

static void virtio_input_reset(VirtIODevice *vdev)
{
    VirtIOInput *s = vinput(vdev);

    if (s->handler_on) {
        input_handler_unregister(&s->handler);
        s->handler_on = false;
    }
    g_array_set_size(s->pending, 0);
    s->last_buttons = 0;
    s->last_x = s->last_y = -1;
    memset(s->cfg, 0, sizeof(s->cfg));
}

static const VirtioDeviceClass virtio_tablet_class = {
    .name = "virtio-tablet",
    .device_id = VIRTIO_ID_INPUT,
    .get_config = virtio_input_get_config,
    .set_config = virtio_input_set_config,
    .set_status = virtio_input_set_status,
    .reset = virtio_input_reset,
};

/* ---- the PCI device ----------------------------------------------------------- */

static bool virtio_tablet_pci_realize(VirtIOPCIProxy *proxy, GError **errp)
{
    VirtIOTabletPCI *d = (VirtIOTabletPCI *)proxy;
    VirtIOInput *s = &d->input;

    virtio_init(&s->vdev, &virtio_tablet_class, VIRTIO_INPUT_CFG_LEN);
    s->evt = virtio_add_queue(&s->vdev, VIRTIO_INPUT_QUEUE_SIZE,
                              virtio_input_handle_evt);
    s->sts = virtio_add_queue(&s->vdev, VIRTIO_INPUT_QUEUE_SIZE,
                              virtio_input_handle_sts);
    s->pending = g_array_new(FALSE, FALSE, sizeof(VirtIOInputEvent));
    s->handler = (InputHandler){
        .name = "virtio-tablet", .mask = INPUT_EVENT_ABS,
        .event = virtio_tablet_event, .opaque = s,
    };
    s->last_x = s->last_y = -1;
    proxy->vdev = &s->vdev;
    return true;
}

static void virtio_tablet_pci_unrealize(VirtIOPCIProxy *proxy)
{
    VirtIOTabletPCI *d = (VirtIOTabletPCI *)proxy;
    VirtIOInput *s = &d->input;

    if (s->handler_on) {
        input_handler_unregister(&s->handler);
        s->handler_on = false;
    }
    g_array_free(s->pending, TRUE);
    s->pending = NULL;
}

static const VirtioPCIDeviceInfo virtio_tablet_pci_info = {
    .pci = VIRTIO_PCI_DEVICE_INFO(VIRTIO_ID_INPUT, PCI_CLASS_INPUT_OTHER),
    .realize = virtio_tablet_pci_realize,
    .unrealize = virtio_tablet_pci_unrealize,
};

static const DeviceInfo virtio_tablet_pci_dev_info = {
    .name = TYPE_VIRTIO_TABLET_PCI,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(VirtIOTabletPCI),
    .desc = "virtio absolute pointer (virtio-input, virtio 1.2 modern PCI)",
    .user_creatable = true,
    .class_data = &virtio_tablet_pci_info,
};

static void virtio_tablet_register_types(void)
{
    type_register(&virtio_tablet_pci_dev_info);
}
type_init(virtio_tablet_register_types)
