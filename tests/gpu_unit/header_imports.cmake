# gpu_unit.header_wasm32_imports (run with cmake -P): every function webgpu.h declares must link
# in a wasm32 guest WITHOUT -Wl,--allow-undefined and come out as the import "wasmgpu.<name>".
# The function list is read from the header itself, so a function added without its
# WGPU_WASM_IMPORT line fails here.
#   -DHEADER=<include/wasmgpu/webgpu.h> -DCLANG=<clang> -DOBJDUMP=<wasm-objdump> -DWORK=<dir>
file(READ ${HEADER} text)
string(REGEX MATCHALL "WGPU_EXPORT [^;(]*[ *](wgpu[A-Za-z0-9]+)[ ]*\\(" decls "${text}")
set(names)
foreach(decl ${decls})
  string(REGEX REPLACE ".*[ *](wgpu[A-Za-z0-9]+)[ ]*\\($" "\\1" name "${decl}")
  list(APPEND names ${name})
endforeach()
list(LENGTH names count)
if(count LESS 100)
  message(FATAL_ERROR "Found only ${count} function declarations in ${HEADER}; the pattern no "
                      "longer matches the header.")
endif()

# A guest that takes the address of every function, so each one must resolve at link time.
set(source "#include <wasmgpu/webgpu.h>\nvoid (*volatile fns[])(void) = {\n")
foreach(name ${names})
  string(APPEND source "  (void (*)(void))${name},\n")
endforeach()
string(APPEND source "};\nint main(void) { return fns[0] == 0; }\n")
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/all_imports.c "${source}")
get_filename_component(include_dir ${HEADER} DIRECTORY)
get_filename_component(include_dir ${include_dir} DIRECTORY)
execute_process(COMMAND ${CLANG} --target=wasm32-wasi --sysroot=/usr -std=c11 -O0 -Werror
                        -Wno-cast-function-type -I${include_dir} ${WORK}/all_imports.c
                        -o ${WORK}/all_imports.wasm
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "Linking a guest that uses all ${count} functions without "
                      "--allow-undefined failed:\n${out}${err}")
endif()
execute_process(COMMAND ${OBJDUMP} -x -j Import ${WORK}/all_imports.wasm
                RESULT_VARIABLE rc OUTPUT_VARIABLE imports ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "wasm-objdump failed: ${err}")
endif()
set(missing)
foreach(name ${names})
  string(FIND "${imports}" "<- wasmgpu.${name}\n" at)
  if(at EQUAL -1)
    list(APPEND missing ${name})
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "Not imported as wasmgpu.<name>: ${missing}")
endif()
message(STATUS "All ${count} webgpu.h functions link as imports of module wasmgpu.")
