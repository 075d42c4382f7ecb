# Imported targets for the C libraries that ship no CMake package (libcsv, libxlsxwriter).
# hemsim links these targets, not the files, so its exported package names the targets
# and hemsimConfig.cmake finds the files again on the consumer's machine: no build-machine
# path is written into the installed package. Used by the build and by hemsimConfig.cmake.

# hemsim_import_c_library(<target> <header> <library>): finds <header> and lib<library>
# and defines the imported target <target>; sets HEMSIM_C_LIBRARY_MISSING in the caller
# when either is not found.
function(hemsim_import_c_library target header library)
  if(TARGET ${target})
    return()
  endif()
  string(MAKE_C_IDENTIFIER "${target}" id)
  find_path(HEMSIM_${id}_INCLUDE_DIR ${header})
  find_library(HEMSIM_${id}_LIBRARY ${library})
  if(NOT HEMSIM_${id}_INCLUDE_DIR OR NOT HEMSIM_${id}_LIBRARY)
    set(HEMSIM_C_LIBRARY_MISSING "${library} (${header})" PARENT_SCOPE)
    return()
  endif()
  add_library(${target} UNKNOWN IMPORTED)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${HEMSIM_${id}_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${HEMSIM_${id}_INCLUDE_DIR}")
endfunction()

macro(hemsim_import_c_libraries)
  hemsim_import_c_library(hemsim_deps::csv csv.h csv)
  hemsim_import_c_library(hemsim_deps::xlsxwriter xlsxwriter.h xlsxwriter)
endmacro()
