/*
 * TEST-ONLY, never shipped: a stand-in for Windows' bcryptprimitives.dll,
 * which Wine 8 (Debian 12) does not have. Rust's standard library imports
 * ProcessPrng from it for HashMap keys and random numbers, so without this
 * every Rust-built .dll/.exe fails to load under that Wine. Real Windows
 * (10 and newer) has the genuine DLL; this file only lets tests run here.
 *
 * ProcessPrng fills a buffer from the system RNG and always returns TRUE;
 * this forwards to BCryptGenRandom (which Wine has) in <= 4 GiB chunks.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0xFFFFFFFFu ? 0xFFFFFFFFu : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
            /* ProcessPrng is documented never to fail; Rust aborts on FALSE. */
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
