/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * glibc's string functions (the SSE2/SSSE3/SSE4.2 variants its ifuncs
 * pick from CPUID) at every alignment and many lengths, near the end
 * of a page followed by an unmapped one (the vector loops must not
 * fault there), plus qsort, snprintf and a hash of it all.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wchar.h>

static uint64_t h = 0xcbf29ce484222325ull;

static void mix(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h = (h ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3ull;
    }
}

/* Only the sign of a comparison is specified (variants differ). */
static int sgn(int v)
{
    return (v > 0) - (v < 0);
}

static uint32_t rng = 12345;

static uint32_t rnd(void)
{
    rng = rng * 1103515245 + 12345;
    return rng >> 8;
}

static void fill(char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = 'a' + rnd() % 8;
    }
}

static void test_basic(char *a, char *b)
{
    for (int al = 0; al < 33; al++) {
        for (int len = 0; len < 300; len += (len < 40 ? 1 : 23)) {
            char *s = a + al, *t = b + (al * 7) % 33;
            fill(s, len);
            s[len] = 0;
            memcpy(t, s, len + 1);
            mix(strlen(s));
            mix(strcmp(s, t) == 0);
            if (len) {
                t[rnd() % len] ^= 1;
                mix(strcmp(s, t) > 0 ? 1 : strcmp(s, t) < 0 ? 2 : 3);
                mix(memcmp(s, t, len) > 0);
                mix(strncmp(s, t, len / 2 + 1) == 0);
            }
            mix(strchr(s, 'h') ? strchr(s, 'h') - s : -1);
            mix(strrchr(s, 'a') ? strrchr(s, 'a') - s : -1);
            mix(memchr(s, 'c', len) ? (char *)memchr(s, 'c', len) - s : -1);
            mix(strspn(s, "abc"));
            mix(strcspn(s, "gh"));
            mix(strstr(s, "ab") ? strstr(s, "ab") - s : -1);
            mix(strnlen(s, len / 2));
            memset(t, 'z', len);
            mix(t[len / 2]);
            memmove(s + 1, s, len);
            mix(s[len / 3]);
            strcpy(t, s);
            mix(sgn(strcmp(t, s)));
            mix(sgn(strcasecmp(s, "ABC")));
        }
    }
}

/* Strings ending right before an unmapped page. */
static void test_page_end(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    munmap(p + pg, pg);
    for (int len = 0; len < 80; len++) {
        char *s = p + pg - len - 1;
        memset(s, 'q', len);
        s[len] = 0;
        mix(strlen(s));
        mix(strchr(s, 'x') == NULL);
        mix(strrchr(s, 'q') ? strrchr(s, 'q') - s : -1);
        mix(memchr(s, 0, len + 1) == s + len);
        mix(strcmp(s, s));
        mix(rawmemchr(s, 0) == s + len);
    }
    munmap(p, pg);
    printf("page end ok\n");
}

static int cmp(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

static void test_misc(void)
{
    int v[1000];
    char buf[256];
    wchar_t w[64];

    for (int i = 0; i < 1000; i++) {
        v[i] = (int)(rnd() % 100000) - 50000;
    }
    qsort(v, 1000, sizeof(int), cmp);
    for (int i = 0; i < 1000; i += 97) {
        mix(v[i]);
    }
    snprintf(buf, sizeof(buf), "%d %x %o %s %c %5.2f %-8s| %lld %p", -42,
             0xbeef, 0755, "str", 'Q', 3.14159, "left", -1234567890123LL,
             (void *)0x1234);
    printf("snprintf: %s\n", buf);
    swprintf(w, 64, L"%ls-%d", L"wide", 7);
    printf("wide: %ls %zu\n", w, wcslen(w));
    printf("strtol %ld %lu %lld\n", strtol("-0x7fff", NULL, 16),
           strtoul("777", NULL, 8), strtoll("9223372036854775807", NULL, 10));
}

int main(void)
{
    char *a = malloc(4096), *b = malloc(4096);

    test_basic(a, b);
    test_page_end();
    test_misc();
    printf("hash %016llx\n", (unsigned long long)h);
    free(a);
    free(b);
    return 0;
}
