// A flat C interface to the Arcade Learning Environment (ALE) for SparseRL's Atari environments.
//
// Swift loads this shared library at run time (dlopen), so the Swift package builds without ALE.
// scripts/setup-ale.sh compiles it against the headers of the `ale-py` source distribution and links it to the
// C++ library inside the `ale-py` wheel of the project .venv (its `_ale_py` extension module, copied next to
// this library as libale.so), so the emulator is the very build the Python reference runs.
//
// Every function takes the opaque handle from srl_ale_create. C++ exceptions never cross this interface: the
// functions that can fail return 0 and copy the exception's message into the caller's error buffer.

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "ale/ale_interface.hpp"

#define SRL_ABI_VERSION 1

namespace {

struct Handle {
  ale::ALEInterface ale;
  std::vector<unsigned char> screen;
};

void copy_message(const char* message, char* error, int capacity) {
  if (error && capacity > 0) std::snprintf(error, static_cast<size_t>(capacity), "%s", message);
}

}  // namespace

extern "C" {

// The interface version of this shim (the Swift side checks it).
int srl_ale_abi_version(void) { return SRL_ABI_VERSION; }

// ALE's version text (e.g. "0.12.1"), NUL-terminated, truncated to capacity.
void srl_ale_version(char* buffer, int capacity) { copy_message(ALE_VERSION, buffer, capacity); }

// A new emulator with ALE's logger reduced to errors (as ale-py's AtariEnv does); NULL on failure.
void* srl_ale_create(char* error, int error_capacity) {
  try {
    ale::Logger::setMode(ale::Logger::Error);
    return new Handle();
  } catch (const std::exception& e) {
    copy_message(e.what(), error, error_capacity);
    return nullptr;
  }
}

void srl_ale_free(void* opaque) { delete static_cast<Handle*>(opaque); }

// Settings, applied by the next srl_ale_load_rom (e.g. "random_seed", "repeat_action_probability",
// "max_num_frames_per_episode"). Return 1, or 0 with a message.
int srl_ale_set_int(void* opaque, const char* key, int value, char* error, int error_capacity) {
  try {
    static_cast<Handle*>(opaque)->ale.setInt(key, value);
    return 1;
  } catch (const std::exception& e) {
    copy_message(e.what(), error, error_capacity);
    return 0;
  }
}

int srl_ale_set_float(void* opaque, const char* key, float value, char* error, int error_capacity) {
  try {
    static_cast<Handle*>(opaque)->ale.setFloat(key, value);
    return 1;
  } catch (const std::exception& e) {
    copy_message(e.what(), error, error_capacity);
    return 0;
  }
}

int srl_ale_set_bool(void* opaque, const char* key, int value, char* error, int error_capacity) {
  try {
    static_cast<Handle*>(opaque)->ale.setBool(key, value != 0);
    return 1;
  } catch (const std::exception& e) {
    copy_message(e.what(), error, error_capacity);
    return 0;
  }
}

// Loads (or reloads) a ROM file, which also reseeds ALE's generator from "random_seed". Returns 1, or 0 with a
// message.
int srl_ale_load_rom(void* opaque, const char* path, char* error, int error_capacity) {
  try {
    static_cast<Handle*>(opaque)->ale.loadROM(std::string(path));
    return 1;
  } catch (const std::exception& e) {
    copy_message(e.what(), error, error_capacity);
    return 0;
  }
}

void srl_ale_reset(void* opaque) { static_cast<Handle*>(opaque)->ale.reset_game(); }

// One emulator frame of `action` (an ALE action number); returns the frame's reward.
int srl_ale_act(void* opaque, int action, float strength) {
  return static_cast<int>(static_cast<Handle*>(opaque)->ale.act(static_cast<ale::Action>(action), strength));
}

int srl_ale_game_over(void* opaque, int with_truncation) {
  return static_cast<Handle*>(opaque)->ale.game_over(with_truncation != 0) ? 1 : 0;
}

int srl_ale_game_truncated(void* opaque) { return static_cast<Handle*>(opaque)->ale.game_truncated() ? 1 : 0; }

int srl_ale_lives(void* opaque) { return static_cast<Handle*>(opaque)->ale.lives(); }

int srl_ale_frame_number(void* opaque) { return static_cast<Handle*>(opaque)->ale.getFrameNumber(); }

int srl_ale_episode_frame_number(void* opaque) {
  return static_cast<Handle*>(opaque)->ale.getEpisodeFrameNumber();
}

// Writes up to `capacity` ALE action numbers of the minimal (full = 0) or legal (full = 1) action set; returns
// how many there are.
int srl_ale_action_set(void* opaque, int full, int* out, int capacity) {
  auto& ale = static_cast<Handle*>(opaque)->ale;
  ale::ActionVect actions = full ? ale.getLegalActionSet() : ale.getMinimalActionSet();
  for (size_t i = 0; i < actions.size() && static_cast<int>(i) < capacity; i++) out[i] = static_cast<int>(actions[i]);
  return static_cast<int>(actions.size());
}

// The screen's height and width in pixels.
void srl_ale_screen_size(void* opaque, int* height, int* width) {
  const ale::ALEScreen& screen = static_cast<Handle*>(opaque)->ale.getScreen();
  *height = static_cast<int>(screen.height());
  *width = static_cast<int>(screen.width());
}

// Copies the screen as height x width grayscale bytes (row-major) into out.
void srl_ale_screen_grayscale(void* opaque, unsigned char* out) {
  Handle* handle = static_cast<Handle*>(opaque);
  handle->ale.getScreenGrayscale(handle->screen);
  std::memcpy(out, handle->screen.data(), handle->screen.size());
}

// Copies the screen as height x width x 3 RGB bytes (row-major, channels last) into out.
void srl_ale_screen_rgb(void* opaque, unsigned char* out) {
  Handle* handle = static_cast<Handle*>(opaque);
  handle->ale.getScreenRGB(handle->screen);
  std::memcpy(out, handle->screen.data(), handle->screen.size());
}

// Serializes the complete emulator state including ALE's generator (cloneState(include_rng = true)). Returns the
// byte count; the bytes are copied into out only when capacity is large enough (call once with capacity 0 to
// learn the size).
long srl_ale_clone_state(void* opaque, unsigned char* out, long capacity) {
  Handle* handle = static_cast<Handle*>(opaque);
  std::string bytes = handle->ale.cloneState(true).serialize();
  long size = static_cast<long>(bytes.size());
  if (out && capacity >= size) std::memcpy(out, bytes.data(), bytes.size());
  return size;
}

// Restores a state from srl_ale_clone_state. Returns 1, or 0 with a message.
int srl_ale_restore_state(void* opaque, const unsigned char* bytes, long count, char* error, int error_capacity) {
  try {
    ale::ALEState state(std::string(reinterpret_cast<const char*>(bytes), static_cast<size_t>(count)));
    static_cast<Handle*>(opaque)->ale.restoreState(state);
    return 1;
  } catch (const std::exception& e) {
    copy_message(e.what(), error, error_capacity);
    return 0;
  }
}

}  // extern "C"
