#!/usr/bin/env bash
# Writes a C program that prints every enum constant of a header as the C
# compiler sees it, one "EnumType CONSTANT value" line each, for the C# test
# that checks the C# enums against the header (tests/csharp/Tests.cs,
# TestConstants). Usage: constants.sh include/gameye.h > constants.c
set -euo pipefail
header=$1
echo '#include <stdio.h>'
echo "#include \"$(basename "$header")\""
echo 'int main(void) {'
# cbindgen writes each enum as "enum GameyeX" ... "  GAMEYE_X_Y = N," ... "};".
awk '
    /^enum Gameye[A-Za-z]+/ { type = $2; next }
    /^};/ { type = ""; next }
    type != "" && /^  GAMEYE_[A-Z0-9_]+ = / {
        name = $1
        printf "    printf(\"%%s %%s %%lld\\n\", \"%s\", \"%s\", (long long)%s);\n", type, name, name
    }
' "$header"
echo '    return 0;'
echo '}'
