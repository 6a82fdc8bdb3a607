/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small builder for ACPI Machine Language (ACPI 6.4, chapter 20).
 *
 * Every aml_* constructor returns a new node. Containers (scopes,
 * devices, methods, packages, buffers, resource templates, If/Else,
 * fields) take children with aml_append(), which consumes the child.
 * Length prefixes (PkgLength, element counts, buffer sizes, the
 * resource template's end tag) are computed when a node is appended or
 * finished, so nodes are built in the natural nesting order:
 *
 *   Aml *dsdt = aml_block_new();
 *   Aml *sb = aml_scope("\\_SB");
 *   Aml *dev = aml_device("PCI0");
 *   aml_append(dev, aml_name_decl("_HID", aml_eisaid("PNP0A03")));
 *   aml_append(sb, dev);
 *   aml_append(dsdt, sb);
 *   GByteArray *code = aml_finish(dsdt);    -- the DSDT's AML body
 *
 * Names are written as in ASL ("\\_SB.PCI0", "^FOO", "_S5"); segments
 * shorter than 4 characters are padded with '_'. A malformed name is a
 * programming error (abort).
 */
#ifndef HW_ACPI_AML_H
#define HW_ACPI_AML_H

#include "ember/osdep.h"

typedef struct Aml Aml;

/* The root: a plain term list (the body of a definition block). */
Aml *aml_block_new(void);
/* Render and free a node; the caller owns the bytes. */
GByteArray *aml_finish(Aml *node);
void aml_append(Aml *parent, Aml *child);
void aml_free(Aml *node);

/* Data objects. */
Aml *aml_int(uint64_t value);       /* Zero/One/Ones or the smallest prefix */
Aml *aml_string(const char *s);
Aml *aml_name(const char *name);    /* a reference to a named object */
Aml *aml_eisaid(const char *id);    /* "PNP0A03" -> compressed DWORD */
Aml *aml_package(void);             /* elements appended; count automatic */
Aml *aml_buffer(const uint8_t *data, size_t len);
Aml *aml_arg(int n);                /* Arg0..Arg6 */
Aml *aml_local(int n);              /* Local0..Local7 */

/* Named objects and scopes. */
Aml *aml_name_decl(const char *name, Aml *value);
Aml *aml_scope(const char *name);
Aml *aml_device(const char *name);
Aml *aml_method(const char *name, int argc, bool serialized);

/* Operation regions and fields (ACPI 6.4, 19.6.100 and 19.6.48). */
enum {
    AML_SYSTEM_MEMORY = 0,
    AML_SYSTEM_IO = 1,
    AML_PCI_CONFIG = 2,
};
enum {
    AML_FIELD_ANY_ACC = 0,
    AML_FIELD_BYTE_ACC = 1,
    AML_FIELD_WORD_ACC = 2,
    AML_FIELD_DWORD_ACC = 3,
};
Aml *aml_operation_region(const char *name, uint8_t space, Aml *offset,
                          Aml *len);
Aml *aml_field(const char *region, uint8_t access, bool lock,
               uint8_t update_rule);
Aml *aml_named_field(const char *name, unsigned bits);
Aml *aml_reserved_field(unsigned bits);

/* Statements and expressions. target may be NULL (no store). */
Aml *aml_return(Aml *value);
Aml *aml_store(Aml *value, Aml *target);
Aml *aml_if(Aml *predicate);
Aml *aml_else(void);
Aml *aml_equal(Aml *a, Aml *b);
Aml *aml_lnot(Aml *a);
Aml *aml_and(Aml *a, Aml *b, Aml *target);
Aml *aml_or(Aml *a, Aml *b, Aml *target);
Aml *aml_add(Aml *a, Aml *b, Aml *target);
Aml *aml_shiftleft(Aml *a, Aml *count, Aml *target);
Aml *aml_notify(Aml *object, Aml *value);

/* Resource descriptors (ACPI 6.4, 6.4), for aml_resource_template(). */
Aml *aml_resource_template(void);   /* a Buffer; end tag added */
Aml *aml_io(bool decode16, uint16_t min, uint16_t max, uint8_t align,
            uint8_t len);
Aml *aml_irq_no_flags(uint8_t irq);
Aml *aml_memory32_fixed(uint32_t base, uint32_t len, bool read_write);
Aml *aml_word_bus_number(uint16_t min, uint16_t max);
Aml *aml_word_io(uint16_t min, uint16_t max);
Aml *aml_dword_memory(uint32_t min, uint32_t max, bool cacheable);
Aml *aml_qword_memory(uint64_t min, uint64_t max, bool cacheable);

/* NameString encoding of name, appended to out (for table builders). */
void aml_encode_name(GByteArray *out, const char *name);

#endif
