# Warnings for our own targets only (linked PRIVATE, never exported).
add_library(swim_project_options INTERFACE)
target_compile_options(swim_project_options INTERFACE
    $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow
        -Wcast-align -Wunused -Woverloaded-virtual -Wimplicit-fallthrough>
    # GCC 12 flags Asio's coroutine frame allocator (aligned new, sized delete) as mismatched
    # in lambda coroutines: a false positive.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>
    $<$<AND:$<CXX_COMPILER_ID:GNU,Clang>,$<BOOL:${SWIM_WARNINGS_AS_ERRORS}>>:-Werror>)
install(TARGETS swim_project_options EXPORT swimTargets)
