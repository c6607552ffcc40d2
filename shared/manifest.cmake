# Writes modules/manifest.json: the version, the compatibility date in wrangler.toml and each
# module's size, for GET /healthz.
string(REPLACE "," ";" NAMES "${NAMES}")
file(STRINGS "${WRANGLER_TOML}" date_line REGEX "^compatibility_date *= *\"[0-9-]+\"")
string(REGEX REPLACE ".*\"([0-9-]+)\".*" "\\1" compat_date "${date_line}")
set(json "{\"version\":\"${VERSION}\",\"compatibility_date\":\"${compat_date}\",\"functions\":[")
set(sep "")
foreach(n ${NAMES})
  file(SIZE ${DIR}/${n}.wasm size)
  string(APPEND json "${sep}{\"name\":\"${n}\",\"wasm_bytes\":${size}}")
  set(sep ",")
endforeach()
string(APPEND json "]}\n")
file(WRITE ${DIR}/manifest.json "${json}")
