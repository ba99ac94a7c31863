# Checks the compatibility rules of gameyeConfigVersion.cmake, in script mode:
#   cmake -DTEMPLATE=packaging/gameyeConfigVersion.cmake.in \
#         -DINSTALLED=<prefix>/lib/cmake/gameye/gameyeConfigVersion.cmake \
#         -DWORK=<scratch dir> -P tests/install/version_check.cmake
# It renders the template for several library versions and asks each what
# find_package() would ask; then it asks the installed file. Prints one line
# per failed case and ends with FATAL_ERROR when any failed.

set(failures 0)

# ask(FILE REQUEST EXPECT): sets the variables find_package() gives a version
# file for REQUEST ("1.2", "0.1.3", "0.1...0.3", "0.1...<0.2"), includes FILE
# and compares PACKAGE_VERSION_COMPATIBLE with EXPECT (TRUE/FALSE).
function(ask file request expect)
  foreach(v VERSION VERSION_MAJOR VERSION_MINOR VERSION_PATCH VERSION_TWEAK VERSION_COUNT
            VERSION_RANGE VERSION_MIN VERSION_MAX VERSION_RANGE_MIN VERSION_RANGE_MAX
            VERSION_MIN_MAJOR VERSION_MIN_MINOR VERSION_MAX_MAJOR VERSION_MAX_MINOR)
    unset(PACKAGE_FIND_${v})
  endforeach()
  unset(PACKAGE_VERSION_COMPATIBLE)
  if(request MATCHES "^([0-9.]+)\\.\\.\\.(<?)([0-9.]+)$")
    set(PACKAGE_FIND_VERSION_RANGE "${request}")
    set(PACKAGE_FIND_VERSION_MIN "${CMAKE_MATCH_1}")
    set(PACKAGE_FIND_VERSION_MAX "${CMAKE_MATCH_3}")
    set(PACKAGE_FIND_VERSION_RANGE_MIN INCLUDE)
    if(CMAKE_MATCH_2 STREQUAL "<")
      set(PACKAGE_FIND_VERSION_RANGE_MAX EXCLUDE)
    else()
      set(PACKAGE_FIND_VERSION_RANGE_MAX INCLUDE)
    endif()
    set(PACKAGE_FIND_VERSION "${PACKAGE_FIND_VERSION_MIN}")
  else()
    set(PACKAGE_FIND_VERSION "${request}")
  endif()
  string(REPLACE "." ";" parts "${PACKAGE_FIND_VERSION}")
  list(LENGTH parts PACKAGE_FIND_VERSION_COUNT)
  list(APPEND parts 0 0 0 0)
  list(GET parts 0 PACKAGE_FIND_VERSION_MAJOR)
  list(GET parts 1 PACKAGE_FIND_VERSION_MINOR)
  list(GET parts 2 PACKAGE_FIND_VERSION_PATCH)
  list(GET parts 3 PACKAGE_FIND_VERSION_TWEAK)
  include("${file}")
  if(PACKAGE_VERSION_COMPATIBLE)
    set(got TRUE)
  else()
    set(got FALSE)
  endif()
  if(NOT got STREQUAL expect)
    message("FAIL: ${PACKAGE_VERSION} for find_package(gameye ${request}): compatible=${got}, want ${expect}")
    math(EXPR f "${failures} + 1")
    set(failures ${f} PARENT_SCOPE)
  endif()
endfunction()

# render(VERSION): the template filled for VERSION, as install.sh would.
function(render version out)
  set(VERSION "${version}")
  set(SIZEOF_VOID_P 8)
  configure_file("${TEMPLATE}" "${WORK}/gameyeConfigVersion-${version}.cmake" @ONLY)
  set(${out} "${WORK}/gameyeConfigVersion-${version}.cmake" PARENT_SCOPE)
endfunction()

render(0.1.0 f)
ask("${f}" 0.1 TRUE)
ask("${f}" 0.1.0 TRUE)
ask("${f}" 0 TRUE)
ask("${f}" 0.1.1 FALSE)   # newer than installed
ask("${f}" 0.2 FALSE)     # 0.x: another minor is another ABI
ask("${f}" 0.0 FALSE)
ask("${f}" 0.0.9 FALSE)
ask("${f}" 1 FALSE)
ask("${f}" 1.0 FALSE)
ask("${f}" 0.1...0.3 TRUE)
ask("${f}" 0.1...<0.2 TRUE)
ask("${f}" 0.0.1...<0.1 FALSE)
ask("${f}" 0.2...0.3 FALSE)

render(0.3.7 f)
ask("${f}" 0.3 TRUE)
ask("${f}" 0.3.5 TRUE)
ask("${f}" 0.3.8 FALSE)
ask("${f}" 0.2 FALSE)
ask("${f}" 0.4 FALSE)

render(0.0.3 f)
ask("${f}" 0.0.3 TRUE)
ask("${f}" 0.0.2 FALSE)
ask("${f}" 0.0 TRUE)
ask("${f}" 0 TRUE)

render(1.4.2 f)
ask("${f}" 1 TRUE)
ask("${f}" 1.0 TRUE)
ask("${f}" 1.4.2 TRUE)
ask("${f}" 1.4.3 FALSE)
ask("${f}" 1.5 FALSE)
ask("${f}" 2 FALSE)
ask("${f}" 0.9 FALSE)

# The installed file, for its own version.
include("${INSTALLED}")
set(installed_version "${PACKAGE_VERSION}")
string(REPLACE "." ";" parts "${installed_version}")
list(GET parts 0 major)
list(GET parts 1 minor)
math(EXPR next_minor "${minor} + 1")
math(EXPR next_major "${major} + 1")
ask("${INSTALLED}" "${installed_version}" TRUE)
ask("${INSTALLED}" "${major}.${minor}" TRUE)
ask("${INSTALLED}" "${major}.${next_minor}" FALSE)
ask("${INSTALLED}" "${next_major}" FALSE)

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} version case(s) failed")
endif()
message(STATUS "gameyeConfigVersion.cmake: every case as expected (installed ${installed_version})")
