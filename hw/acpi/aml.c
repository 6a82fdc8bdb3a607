/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AML byte code builder (ACPI 6.4, chapter 20 "ACPI Machine Language
 * Specification" for the encodings, 6.4 for resource descriptors).
 *
 * A node is rendered when it is appended to its parent: containers keep
 * their head (name, flags, predicate) and body apart until then, because
 * the PkgLength in front of them counts both and itself.
 */
#include "ember/osdep.h"
#include "hw/acpi/aml.h"

/* Opcodes (ACPI 6.4, 20.3). */
#define ZERO_OP             0x00
#define ONE_OP              0x01
#define NAME_OP             0x08
#define BYTE_PREFIX         0x0a
#define WORD_PREFIX         0x0b
#define DWORD_PREFIX        0x0c
#define STRING_PREFIX       0x0d
#define QWORD_PREFIX        0x0e
#define SCOPE_OP            0x10
#define BUFFER_OP           0x11
#define PACKAGE_OP          0x12
#define METHOD_OP           0x14
#define DUAL_NAME_PREFIX    0x2e
#define MULTI_NAME_PREFIX   0x2f
#define EXT_OP_PREFIX       0x5b
#define OP_REGION_OP        0x80    /* after EXT_OP_PREFIX */
#define FIELD_OP            0x81
#define DEVICE_OP           0x82
#define ROOT_CHAR           0x5c
#define PARENT_PREFIX_CHAR  0x5e
#define LOCAL0_OP           0x60
#define ARG0_OP             0x68
#define STORE_OP            0x70
#define ADD_OP              0x72
#define SHIFT_LEFT_OP       0x79
#define AND_OP              0x7b
#define OR_OP               0x7d
#define NOTIFY_OP           0x86
#define LNOT_OP             0x92
#define LEQUAL_OP           0x93
#define IF_OP               0xa0
#define ELSE_OP             0xa1
#define RETURN_OP           0xa4
#define ONES_OP             0xff

/* Resource descriptor tags (ACPI 6.4, 6.4.2 and 6.4.3). */
#define RES_IRQ_NO_FLAGS    0x22
#define RES_IO              0x47
#define RES_END_TAG         0x79
#define RES_MEMORY32_FIXED  0x86
#define RES_DWORD_ADDR      0x87
#define RES_WORD_ADDR       0x88
#define RES_QWORD_ADDR      0x8a
#define RES_TYPE_MEMORY     0
#define RES_TYPE_IO         1
#define RES_TYPE_BUS        2
/* General flags: producer, min and max fixed, positive decode. */
#define RES_FLAGS_FIXED     0x0c

typedef enum AmlKind {
    AML_RAW,            /* body is the whole encoding */
    AML_CONTAINER,      /* op PkgLength head body */
    AML_PACKAGE,        /* PackageOp PkgLength NumElements body */
    AML_BUFFER,         /* BufferOp PkgLength BufferSize body */
    AML_RES_TEMPLATE,   /* a buffer of descriptors + end tag */
} AmlKind;

struct Aml {
    AmlKind kind;
    uint8_t op[2];
    int oplen;
    GByteArray *head;
    GByteArray *body;
    unsigned count;     /* children appended */
};

static Aml *aml_alloc(AmlKind kind)
{
    Aml *a = g_new0(Aml, 1);

    a->kind = kind;
    a->head = g_byte_array_new();
    a->body = g_byte_array_new();
    return a;
}

static Aml *aml_op(AmlKind kind, uint8_t op)
{
    Aml *a = aml_alloc(kind);

    a->op[0] = op;
    a->oplen = 1;
    return a;
}

static Aml *aml_ext_op(AmlKind kind, uint8_t op)
{
    Aml *a = aml_alloc(kind);

    a->op[0] = EXT_OP_PREFIX;
    a->op[1] = op;
    a->oplen = 2;
    return a;
}

void aml_free(Aml *a)
{
    if (a) {
        g_byte_array_free(a->head, TRUE);
        g_byte_array_free(a->body, TRUE);
        g_free(a);
    }
}

static void put_byte(GByteArray *out, uint8_t b)
{
    g_byte_array_append(out, &b, 1);
}

static void put_le(GByteArray *out, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        put_byte(out, v >> (8 * i));
    }
}

/*
 * PkgLength (20.2.4): 1 byte for values up to 63, else a lead byte with
 * the count of following bytes in bits 7:6 and the low nibble, then the
 * rest 8 bits at a time. raw: encode value as such (field widths);
 * otherwise value is a length that the encoding itself adds to.
 */
static void put_pkglen(GByteArray *out, size_t value, bool raw)
{
    size_t v = value;
    int n;

    if (raw) {
        n = v <= 0x3f ? 1 : v < (1u << 12) ? 2 : v < (1u << 20) ? 3 : 4;
    } else {
        n = v + 1 <= 0x3f ? 1 : v + 2 < (1u << 12) ? 2 :
            v + 3 < (1u << 20) ? 3 : 4;
        v += n;
    }
    assert(v < (1u << 28));
    if (n == 1) {
        put_byte(out, v);
        return;
    }
    put_byte(out, ((n - 1) << 6) | (v & 0xf));
    v >>= 4;
    for (int i = 1; i < n; i++) {
        put_byte(out, v & 0xff);
        v >>= 8;
    }
}

static bool name_char_ok(char c, bool lead)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (!lead && c >= '0' &&
                                                    c <= '9');
}

void aml_encode_name(GByteArray *out, const char *name)
{
    const char *p = name;
    g_auto(GStrv) segs = NULL;
    unsigned nseg;

    if (*p == '\\') {
        put_byte(out, ROOT_CHAR);
        p++;
    } else {
        while (*p == '^') {
            put_byte(out, PARENT_PREFIX_CHAR);
            p++;
        }
    }
    if (!*p) {
        put_byte(out, 0x00);    /* NullName */
        return;
    }
    segs = g_strsplit(p, ".", -1);
    nseg = g_strv_length(segs);
    if (nseg == 2) {
        put_byte(out, DUAL_NAME_PREFIX);
    } else if (nseg > 2) {
        assert(nseg <= 255);
        put_byte(out, MULTI_NAME_PREFIX);
        put_byte(out, nseg);
    }
    for (unsigned i = 0; i < nseg; i++) {
        size_t len = strlen(segs[i]);
        if (len < 1 || len > 4) {
            g_error("aml: bad name segment in '%s'", name);
        }
        for (size_t j = 0; j < 4; j++) {
            char c = j < len ? segs[i][j] : '_';
            if (!name_char_ok(c, j == 0)) {
                g_error("aml: bad character in name '%s'", name);
            }
            put_byte(out, c);
        }
    }
}

static void put_int(GByteArray *out, uint64_t v)
{
    if (v == 0) {
        put_byte(out, ZERO_OP);
    } else if (v == 1) {
        put_byte(out, ONE_OP);
    } else if (v == UINT64_MAX) {
        put_byte(out, ONES_OP);
    } else if (v <= 0xff) {
        put_byte(out, BYTE_PREFIX);
        put_byte(out, v);
    } else if (v <= 0xffff) {
        put_byte(out, WORD_PREFIX);
        put_le(out, v, 2);
    } else if (v <= 0xffffffffULL) {
        put_byte(out, DWORD_PREFIX);
        put_le(out, v, 4);
    } else {
        put_byte(out, QWORD_PREFIX);
        put_le(out, v, 8);
    }
}

/* Render a node into out and free it. */
static void put_node(GByteArray *out, Aml *a)
{
    GByteArray *size;

    switch (a->kind) {
    case AML_RAW:
        g_byte_array_append(out, a->body->data, a->body->len);
        break;
    case AML_CONTAINER:
        g_byte_array_append(out, a->op, a->oplen);
        put_pkglen(out, a->head->len + a->body->len, false);
        g_byte_array_append(out, a->head->data, a->head->len);
        g_byte_array_append(out, a->body->data, a->body->len);
        break;
    case AML_PACKAGE:
        assert(a->count <= 255);
        put_byte(out, PACKAGE_OP);
        put_pkglen(out, 1 + a->body->len, false);
        put_byte(out, a->count);
        g_byte_array_append(out, a->body->data, a->body->len);
        break;
    case AML_RES_TEMPLATE:
        /* End tag with checksum 0: "treated as correct" (6.4.2.9). */
        put_byte(a->body, RES_END_TAG);
        put_byte(a->body, 0);
        /* fall through */
    case AML_BUFFER:
        size = g_byte_array_new();
        put_int(size, a->body->len);
        put_byte(out, BUFFER_OP);
        put_pkglen(out, size->len + a->body->len, false);
        g_byte_array_append(out, size->data, size->len);
        g_byte_array_append(out, a->body->data, a->body->len);
        g_byte_array_free(size, TRUE);
        break;
    }
    aml_free(a);
}

void aml_append(Aml *parent, Aml *child)
{
    put_node(parent->body, child);
    parent->count++;
}

Aml *aml_block_new(void)
{
    return aml_alloc(AML_RAW);
}

GByteArray *aml_finish(Aml *a)
{
    GByteArray *out = g_byte_array_new();

    put_node(out, a);
    return out;
}

/* ---- data objects -------------------------------------------------------- */

Aml *aml_int(uint64_t value)
{
    Aml *a = aml_alloc(AML_RAW);

    put_int(a->body, value);
    return a;
}

Aml *aml_string(const char *s)
{
    Aml *a = aml_alloc(AML_RAW);

    put_byte(a->body, STRING_PREFIX);
    g_byte_array_append(a->body, (const uint8_t *)s, strlen(s) + 1);
    return a;
}

Aml *aml_name(const char *name)
{
    Aml *a = aml_alloc(AML_RAW);

    aml_encode_name(a->body, name);
    return a;
}

/* EISA ID: three letters, 5 bits each, then four hex digits (6.1.5). */
Aml *aml_eisaid(const char *id)
{
    uint32_t v;

    assert(strlen(id) == 7);
    for (int i = 0; i < 3; i++) {
        assert(id[i] >= 'A' && id[i] <= 'Z');
    }
    v = ((id[0] - 0x40) << 26) | ((id[1] - 0x40) << 21) |
        ((id[2] - 0x40) << 16) | (uint32_t)strtoul(id + 3, NULL, 16);
    /* Stored most significant byte first. */
    return aml_int(GUINT32_SWAP_LE_BE(v));
}

Aml *aml_package(void)
{
    return aml_alloc(AML_PACKAGE);
}

Aml *aml_buffer(const uint8_t *data, size_t len)
{
    Aml *a = aml_alloc(AML_BUFFER);

    if (len) {
        g_byte_array_append(a->body, data, len);
    }
    return a;
}

Aml *aml_arg(int n)
{
    Aml *a = aml_alloc(AML_RAW);

    assert(n >= 0 && n <= 6);
    put_byte(a->body, ARG0_OP + n);
    return a;
}

Aml *aml_local(int n)
{
    Aml *a = aml_alloc(AML_RAW);

    assert(n >= 0 && n <= 7);
    put_byte(a->body, LOCAL0_OP + n);
    return a;
}

/* ---- named objects ------------------------------------------------------- */

Aml *aml_name_decl(const char *name, Aml *value)
{
    Aml *a = aml_alloc(AML_RAW);

    put_byte(a->body, NAME_OP);
    aml_encode_name(a->body, name);
    put_node(a->body, value);
    return a;
}

Aml *aml_scope(const char *name)
{
    Aml *a = aml_op(AML_CONTAINER, SCOPE_OP);

    aml_encode_name(a->head, name);
    return a;
}

Aml *aml_device(const char *name)
{
    Aml *a = aml_ext_op(AML_CONTAINER, DEVICE_OP);

    aml_encode_name(a->head, name);
    return a;
}

Aml *aml_method(const char *name, int argc, bool serialized)
{
    Aml *a = aml_op(AML_CONTAINER, METHOD_OP);

    assert(argc >= 0 && argc <= 7);
    aml_encode_name(a->head, name);
    put_byte(a->head, argc | (serialized ? 0x08 : 0));
    return a;
}

Aml *aml_operation_region(const char *name, uint8_t space, Aml *offset,
                          Aml *len)
{
    Aml *a = aml_alloc(AML_RAW);

    put_byte(a->body, EXT_OP_PREFIX);
    put_byte(a->body, OP_REGION_OP);
    aml_encode_name(a->body, name);
    put_byte(a->body, space);
    put_node(a->body, offset);
    put_node(a->body, len);
    return a;
}

Aml *aml_field(const char *region, uint8_t access, bool lock,
               uint8_t update_rule)
{
    Aml *a = aml_ext_op(AML_CONTAINER, FIELD_OP);

    aml_encode_name(a->head, region);
    put_byte(a->head, (access & 0xf) | (lock ? 0x10 : 0) |
             ((update_rule & 3) << 5));
    return a;
}

Aml *aml_named_field(const char *name, unsigned bits)
{
    Aml *a = aml_alloc(AML_RAW);
    GByteArray *n = g_byte_array_new();

    /* A NameSeg alone: no prefixes. */
    aml_encode_name(n, name);
    assert(n->len == 4);
    g_byte_array_append(a->body, n->data, 4);
    g_byte_array_free(n, TRUE);
    put_pkglen(a->body, bits, true);
    return a;
}

Aml *aml_reserved_field(unsigned bits)
{
    Aml *a = aml_alloc(AML_RAW);

    put_byte(a->body, 0x00);
    put_pkglen(a->body, bits, true);
    return a;
}

/* ---- statements ---------------------------------------------------------- */

static Aml *aml_op1(uint8_t op, Aml *x)
{
    Aml *a = aml_alloc(AML_RAW);

    put_byte(a->body, op);
    put_node(a->body, x);
    return a;
}

static Aml *aml_op2(uint8_t op, Aml *x, Aml *y)
{
    Aml *a = aml_op1(op, x);

    put_node(a->body, y);
    return a;
}

static Aml *aml_op2_target(uint8_t op, Aml *x, Aml *y, Aml *target)
{
    Aml *a = aml_op2(op, x, y);

    if (target) {
        put_node(a->body, target);
    } else {
        put_byte(a->body, 0x00);    /* NullName: no store */
    }
    return a;
}

Aml *aml_return(Aml *value)
{
    return aml_op1(RETURN_OP, value);
}

Aml *aml_store(Aml *value, Aml *target)
{
    return aml_op2(STORE_OP, value, target);
}

Aml *aml_if(Aml *predicate)
{
    Aml *a = aml_op(AML_CONTAINER, IF_OP);

    put_node(a->head, predicate);
    return a;
}

Aml *aml_else(void)
{
    return aml_op(AML_CONTAINER, ELSE_OP);
}

Aml *aml_equal(Aml *x, Aml *y)
{
    return aml_op2(LEQUAL_OP, x, y);
}

Aml *aml_lnot(Aml *x)
{
    return aml_op1(LNOT_OP, x);
}

Aml *aml_and(Aml *x, Aml *y, Aml *target)
{
    return aml_op2_target(AND_OP, x, y, target);
}

Aml *aml_or(Aml *x, Aml *y, Aml *target)
{
    return aml_op2_target(OR_OP, x, y, target);
}

Aml *aml_add(Aml *x, Aml *y, Aml *target)
{
    return aml_op2_target(ADD_OP, x, y, target);
}

Aml *aml_shiftleft(Aml *x, Aml *count, Aml *target)
{
    return aml_op2_target(SHIFT_LEFT_OP, x, count, target);
}

Aml *aml_notify(Aml *object, Aml *value)
{
    return aml_op2(NOTIFY_OP, object, value);
}

/* ---- resource descriptors ------------------------------------------------ */

Aml *aml_resource_template(void)
{
    return aml_alloc(AML_RES_TEMPLATE);
}

Aml *aml_io(bool decode16, uint16_t min, uint16_t max, uint8_t align,
            uint8_t len)
{
    Aml *a = aml_alloc(AML_RAW);

    put_byte(a->body, RES_IO);
    put_byte(a->body, decode16 ? 1 : 0);
    put_le(a->body, min, 2);
    put_le(a->body, max, 2);
    put_byte(a->body, align);
    put_byte(a->body, len);
    return a;
}

Aml *aml_irq_no_flags(uint8_t irq)
{
    Aml *a = aml_alloc(AML_RAW);

    assert(irq < 16);
    put_byte(a->body, RES_IRQ_NO_FLAGS);
    put_le(a->body, 1u << irq, 2);
    return a;
}

Aml *aml_memory32_fixed(uint32_t base, uint32_t len, bool read_write)
{
    Aml *a = aml_alloc(AML_RAW);

    put_byte(a->body, RES_MEMORY32_FIXED);
    put_le(a->body, 9, 2);
    put_byte(a->body, read_write ? 1 : 0);
    put_le(a->body, base, 4);
    put_le(a->body, len, 4);
    return a;
}

/*
 * Word/DWord/QWord address space descriptors (6.4.3.5): resource type,
 * general flags, type-specific flags, then granularity, minimum,
 * maximum, translation offset and length, each `width` bytes.
 */
static Aml *aml_addr_space(uint8_t tag, unsigned width, uint8_t type,
                           uint8_t type_flags, uint64_t min, uint64_t max)
{
    Aml *a = aml_alloc(AML_RAW);

    assert(max >= min);
    put_byte(a->body, tag);
    put_le(a->body, 3 + 5 * width, 2);
    put_byte(a->body, type);
    put_byte(a->body, RES_FLAGS_FIXED);
    put_byte(a->body, type_flags);
    put_le(a->body, 0, width);              /* granularity */
    put_le(a->body, min, width);
    put_le(a->body, max, width);
    put_le(a->body, 0, width);              /* translation offset */
    put_le(a->body, max - min + 1, width);  /* length */
    return a;
}

Aml *aml_word_bus_number(uint16_t min, uint16_t max)
{
    return aml_addr_space(RES_WORD_ADDR, 2, RES_TYPE_BUS, 0, min, max);
}

Aml *aml_word_io(uint16_t min, uint16_t max)
{
    /* _RNG = 3: the entire range (ISA and non-ISA ports). */
    return aml_addr_space(RES_WORD_ADDR, 2, RES_TYPE_IO, 0x03, min, max);
}

Aml *aml_dword_memory(uint32_t min, uint32_t max, bool cacheable)
{
    /* _RW = 1; _MEM = 1 (cacheable) or 0 (non-cacheable). */
    return aml_addr_space(RES_DWORD_ADDR, 4, RES_TYPE_MEMORY,
                          cacheable ? 0x03 : 0x01, min, max);
}

Aml *aml_qword_memory(uint64_t min, uint64_t max, bool cacheable)
{
    return aml_addr_space(RES_QWORD_ADDR, 8, RES_TYPE_MEMORY,
                          cacheable ? 0x03 : 0x01, min, max);
}
