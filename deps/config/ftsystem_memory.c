/* FreeType's system layer, in place of src/base/ftsystem.c. Our fonts only ever come from memory
 * (embedded at build time), so there is no file stream: ftsystem.c's stdio code would make the
 * wasm modules import WASI file calls (path_open, fd_read, ...) that the Worker host does not
 * provide. */
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_SYSTEM_H

/* Declared in FreeType's internal headers; defined here with C linkage. */
FT_Error FT_Stream_Open(FT_Stream stream, const char* filepathname);
FT_Memory FT_New_Memory(void);
void FT_Done_Memory(FT_Memory memory);

#include <stdlib.h>

static void* ftAlloc(FT_Memory memory, long size) {
  (void)memory;
  return malloc((size_t)size);
}

static void ftFree(FT_Memory memory, void* block) {
  (void)memory;
  free(block);
}

static void* ftRealloc(FT_Memory memory, long curSize, long newSize, void* block) {
  (void)memory;
  (void)curSize;
  return realloc(block, (size_t)newSize);
}

FT_Error FT_Stream_Open(FT_Stream stream, const char* filepathname) {
  (void)filepathname;
  if (stream) stream->base = NULL;
  return FT_Err_Cannot_Open_Resource;
}

FT_Memory FT_New_Memory(void) {
  FT_Memory memory = (FT_Memory)malloc(sizeof(*memory));
  if (!memory) return NULL;
  memory->user = NULL;
  memory->alloc = ftAlloc;
  memory->realloc = ftRealloc;
  memory->free = ftFree;
  return memory;
}

void FT_Done_Memory(FT_Memory memory) { free(memory); }
