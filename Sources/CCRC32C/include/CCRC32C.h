// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) for the Driftline log.
// The check value of "123456789" is 0xE3069283.
#ifndef DRIFTLINE_CCRC32C_H
#define DRIFTLINE_CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Continues a CRC-32C: pass 0 to start, then the previous result to extend over more bytes.
/// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at run time), else slicing-by-8.
uint32_t driftline_crc32c_update(uint32_t crc, const void *data, size_t length);

/// The same value computed with the portable slicing-by-8 tables only (for tests and benchmarks).
uint32_t driftline_crc32c_update_portable(uint32_t crc, const void *data, size_t length);

/// 1 when driftline_crc32c_update uses the hardware instruction, else 0.
int driftline_crc32c_is_hardware(void);

#endif
