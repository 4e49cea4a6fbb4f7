# Writes build_info_values.inc (version, git commit, build time) at build time; rewritten only
# when the commit changes, so an unchanged tree does not relink qlrf.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit "unknown")
endif()
execute_process(COMMAND git diff --quiet HEAD WORKING_DIRECTORY ${SRC} RESULT_VARIABLE dirty
                ERROR_QUIET)
if(dirty)
  set(commit "${commit}-dirty")
endif()
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old MATCHES "\"${commit}\"")
  string(TIMESTAMP now "%Y-%m-%dT%H:%M:%SZ" UTC)
  file(WRITE ${OUT} "#define QLRF_VERSION \"${VERSION}\"\n#define QLRF_GIT_COMMIT \"${commit}\"\n#define QLRF_BUILD_TIME \"${now}\"\n")
endif()
