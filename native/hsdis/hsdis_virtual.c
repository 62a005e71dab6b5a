/*
 * HotSpot's disassembler plugin interface, as JDK 17+ calls it (decode_instructions_virtual), over the
 * older entry point (decode_instructions) that Debian's libhsdis0-fcml exports. HotSpot passes the code's
 * own address as the buffer, so decoding the buffer in place prints the real addresses.
 * Built by scripts/build-hsdis; nothing in Panamax links it.
 */
#include <stdint.h>

typedef void *(*hsdis_event_callback)(void *stream, const char *event, void *arg);
typedef int (*hsdis_printf_callback)(void *stream, const char *format, ...);

extern void *decode_instructions(void *start, void *end, hsdis_event_callback event, void *event_stream,
                                 hsdis_printf_callback printf_callback, void *printf_stream, const char *options);

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
                                  hsdis_event_callback event, void *event_stream,
                                  hsdis_printf_callback printf_callback, void *printf_stream,
                                  const char *options, int newline) {
    (void) start_va;
    (void) end_va;
    (void) newline;
    return decode_instructions(buffer, buffer + length, event, event_stream, printf_callback, printf_stream, options);
}
