# CMake toolchain file: Windows x64 programs with mingw-w64 on Linux
# (Debian: gcc-mingw-w64-x86-64, g++-mingw-w64-x86-64). tests/dist/run.sh
# builds the consumer with it from the extracted Windows archive.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
# The consumer links the C++ runtime statically, so Wine needs no mingw DLLs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# Packages come from CMAKE_PREFIX_PATH (the extracted archive) as given.
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
