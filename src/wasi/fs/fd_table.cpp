// Stub implementation: every call returns kNosys until the real one lands.
#include "wasi/fs/fd_table.h"

namespace wasmgpu::wasi {

struct FdTable::Entry {};

Result<PreopenSpec> ParsePreopenSpec(std::string_view spec) {
  return ValidationError("--dir value '{}' cannot be parsed yet.", spec);
}
void ForceOpenat2FallbackForTesting(bool) {}
bool UsingOpenat2() { return false; }
const char* ErrnoName(Errno) { return "?"; }

FdTable::FdTable() = default;
FdTable::~FdTable() = default;
Result<std::unique_ptr<FdTable>> FdTable::Create(std::span<const PreopenSpec>, StdioFds) {
  return std::unique_ptr<FdTable>(new FdTable());
}
size_t FdTable::OpenCount() const { return 0; }

#define STUB(...) \
  Errno FdTable::__VA_ARGS__ { return Errno::kNosys; }
STUB(FdAdvise(uint32_t, uint64_t, uint64_t, Advice))
STUB(FdAllocate(uint32_t, uint64_t, uint64_t))
STUB(FdClose(uint32_t))
STUB(FdDatasync(uint32_t))
STUB(FdFdstatGet(uint32_t, Fdstat*))
STUB(FdFdstatSetFlags(uint32_t, Fdflags))
STUB(FdFdstatSetRights(uint32_t, Rights, Rights))
STUB(FdFilestatGet(uint32_t, Filestat*))
STUB(FdFilestatSetSize(uint32_t, uint64_t))
STUB(FdFilestatSetTimes(uint32_t, uint64_t, uint64_t, Fstflags))
STUB(FdPread(uint32_t, std::span<const std::span<uint8_t>>, uint64_t, uint32_t*))
STUB(FdPrestatGet(uint32_t, Prestat*))
STUB(FdPrestatDirName(uint32_t, std::span<uint8_t>))
STUB(FdPwrite(uint32_t, std::span<const std::span<const uint8_t>>, uint64_t, uint32_t*))
STUB(FdRead(uint32_t, std::span<const std::span<uint8_t>>, uint32_t*))
STUB(FdReaddir(uint32_t, std::span<uint8_t>, uint64_t, uint32_t*))
STUB(FdRenumber(uint32_t, uint32_t))
STUB(FdSeek(uint32_t, int64_t, Whence, uint64_t*))
STUB(FdSync(uint32_t))
STUB(FdTell(uint32_t, uint64_t*))
STUB(FdWrite(uint32_t, std::span<const std::span<const uint8_t>>, uint32_t*))
STUB(PathCreateDirectory(uint32_t, std::string_view))
STUB(PathFilestatGet(uint32_t, Lookupflags, std::string_view, Filestat*))
STUB(PathFilestatSetTimes(uint32_t, Lookupflags, std::string_view, uint64_t, uint64_t, Fstflags))
STUB(PathLink(uint32_t, Lookupflags, std::string_view, uint32_t, std::string_view))
STUB(PathOpen(uint32_t, Lookupflags, std::string_view, Oflags, Rights, Rights, Fdflags, uint32_t*))
STUB(PathReadlink(uint32_t, std::string_view, std::span<uint8_t>, uint32_t*))
STUB(PathRemoveDirectory(uint32_t, std::string_view))
STUB(PathRename(uint32_t, std::string_view, uint32_t, std::string_view))
STUB(PathSymlink(std::string_view, uint32_t, std::string_view))
STUB(PathUnlinkFile(uint32_t, std::string_view))

}  // namespace wasmgpu::wasi
