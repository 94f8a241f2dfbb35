// A flat C interface to the MuJoCo C library for SparseRL's MuJoCo environments.
//
// Swift loads this shared library at run time (dlopen), so the Swift package builds without MuJoCo.
// scripts/setup-mujoco.sh compiles it against the headers of the `mujoco` wheel in the project .venv and
// links it to that wheel's libmujoco (copied next to it; found through the $ORIGIN run path).
//
// Every function takes the opaque handle from srl_mj_load. Arrays are returned as pointers into MuJoCo's
// own model and data buffers (row-major, mjtNum = double); they stay valid until srl_mj_free.
// MuJoCo's warnings go to a log handler installed here (instead of MUJOCO_LOG.TXT in the working
// directory); the count and the last message can be read back. Errors are printed to standard error
// before MuJoCo ends the process, as its default handler does.

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mujoco/mujoco.h>

#define SRL_ABI_VERSION 2

// Array identifiers for srl_mj_array (keep in sync with MuJoCoSimulation.Array in Swift).
enum {
  SRL_QPOS = 0,                // data qpos (nq)
  SRL_QVEL = 1,                // data qvel (nv)
  SRL_CTRL = 2,                // data ctrl (nu)
  SRL_XPOS = 3,                // data xpos (nbody x 3)
  SRL_XIPOS = 4,               // data xipos (nbody x 3)
  SRL_CINERT = 5,              // data cinert (nbody x 10)
  SRL_CVEL = 6,                // data cvel (nbody x 6)
  SRL_QFRC_ACTUATOR = 7,       // data qfrc_actuator (nv)
  SRL_CFRC_EXT = 8,            // data cfrc_ext (nbody x 6)
  SRL_BODY_MASS = 9,           // model body_mass (nbody)
  SRL_ACTUATOR_CTRLRANGE = 10, // model actuator_ctrlrange (nu x 2)
  SRL_QPOS0 = 11,              // model qpos0 (nq)
  SRL_XMAT = 12,               // data xmat (nbody x 9)
  SRL_SUBTREE_COM = 13,        // data subtree_com (nbody x 3)
  SRL_SENSORDATA = 14,         // data sensordata (nsensordata)
  SRL_ACT = 15,                // data act (na)
  SRL_TIME = 16,               // data time (1)
  SRL_BODY_SUBTREEMASS = 17,   // model body_subtreemass (nbody)
  SRL_GRAVITY = 18,            // model opt.gravity (3)
  SRL_JNT_RANGE = 19,          // model jnt_range (njnt x 2)
};

// Size identifiers for srl_mj_size.
enum {
  SRL_NQ = 0,
  SRL_NV = 1,
  SRL_NU = 2,
  SRL_NBODY = 3,
  SRL_NA = 4,
  SRL_STATE_SIZE = 5,  // doubles in the integration state (srl_mj_get_state)
  SRL_NJNT = 6,
  SRL_NSENSOR = 7,
  SRL_NSENSORDATA = 8,
  SRL_NCON = 9,        // contacts detected by the last collision pass (data ncon)
};

// Element kinds for srl_mj_name_id.
enum {
  SRL_OBJ_BODY = 0,
  SRL_OBJ_JOINT = 1,
  SRL_OBJ_SENSOR = 2,
  SRL_OBJ_SITE = 3,
  SRL_OBJ_GEOM = 4,
};

typedef struct {
  mjModel* model;
  mjData* data;
} srl_mj_handle;

static pthread_mutex_t warning_lock = PTHREAD_MUTEX_INITIALIZER;
static long warning_count = 0;
static char last_warning[1024] = "";

static void srl_log_handler(const mjLogMessage* message) {
  if (message->level >= mjLOG_ERROR) {
    fprintf(stderr, "MuJoCo error: %s\n", message->subject);
    fflush(stderr);
    return;
  }
  if (message->level == mjLOG_WARNING) {
    pthread_mutex_lock(&warning_lock);
    warning_count += 1;
    snprintf(last_warning, sizeof(last_warning), "%s", message->subject);
    pthread_mutex_unlock(&warning_lock);
  }
}

// MuJoCo 4 keeps its log handler per thread, so every entry point that calls into MuJoCo installs it on the
// calling thread first (once per thread).
static __thread int handler_installed = 0;
static void install_handler(void) {
  if (!handler_installed) {
    mju_setLogHandler(srl_log_handler);
    handler_installed = 1;
  }
}

// The interface version of this shim (the Swift side checks it).
int srl_mj_abi_version(void) { return SRL_ABI_VERSION; }

// The MuJoCo library version, e.g. 4000000 for 4.0.0.
int srl_mj_library_version(void) { return mj_version(); }

// The number of warnings MuJoCo reported since the library was loaded.
long srl_mj_warning_count(void) {
  pthread_mutex_lock(&warning_lock);
  long count = warning_count;
  pthread_mutex_unlock(&warning_lock);
  return count;
}

// Copies the last warning (NUL-terminated, truncated to capacity) into buffer.
void srl_mj_last_warning(char* buffer, int capacity) {
  if (capacity <= 0) return;
  pthread_mutex_lock(&warning_lock);
  snprintf(buffer, (size_t)capacity, "%s", last_warning);
  pthread_mutex_unlock(&warning_lock);
}

// Loads and compiles an MJCF file; returns NULL and a message in error on failure.
void* srl_mj_load(const char* path, char* error, int error_capacity) {
  install_handler();
  mjModel* model = mj_loadXML(path, NULL, error, error_capacity);
  if (!model) return NULL;
  mjData* data = mj_makeData(model);
  if (!data) {
    mj_deleteModel(model);
    if (error && error_capacity > 0) snprintf(error, (size_t)error_capacity, "mj_makeData failed");
    return NULL;
  }
  srl_mj_handle* handle = (srl_mj_handle*)malloc(sizeof(srl_mj_handle));
  if (!handle) {
    mj_deleteData(data);
    mj_deleteModel(model);
    if (error && error_capacity > 0) snprintf(error, (size_t)error_capacity, "out of memory");
    return NULL;
  }
  handle->model = model;
  handle->data = data;
  return handle;
}

void srl_mj_free(void* opaque) {
  srl_mj_handle* handle = (srl_mj_handle*)opaque;
  if (!handle) return;
  mj_deleteData(handle->data);
  mj_deleteModel(handle->model);
  free(handle);
}

int srl_mj_size(void* opaque, int which) {
  const mjModel* m = ((srl_mj_handle*)opaque)->model;
  switch (which) {
    case SRL_NQ: return m->nq;
    case SRL_NV: return m->nv;
    case SRL_NU: return m->nu;
    case SRL_NBODY: return m->nbody;
    case SRL_NA: return m->na;
    case SRL_STATE_SIZE: return mj_stateSize(m, mjSTATE_INTEGRATION);
    case SRL_NJNT: return m->njnt;
    case SRL_NSENSOR: return m->nsensor;
    case SRL_NSENSORDATA: return m->nsensordata;
    case SRL_NCON: return ((srl_mj_handle*)opaque)->data->ncon;
    default: return -1;
  }
}

double srl_mj_timestep(void* opaque) { return ((srl_mj_handle*)opaque)->model->opt.timestep; }

double* srl_mj_array(void* opaque, int which) {
  srl_mj_handle* h = (srl_mj_handle*)opaque;
  switch (which) {
    case SRL_QPOS: return h->data->qpos;
    case SRL_QVEL: return h->data->qvel;
    case SRL_CTRL: return h->data->ctrl;
    case SRL_XPOS: return h->data->xpos;
    case SRL_XIPOS: return h->data->xipos;
    case SRL_CINERT: return h->data->cinert;
    case SRL_CVEL: return h->data->cvel;
    case SRL_QFRC_ACTUATOR: return h->data->qfrc_actuator;
    case SRL_CFRC_EXT: return h->data->cfrc_ext;
    case SRL_BODY_MASS: return h->model->body_mass;
    case SRL_ACTUATOR_CTRLRANGE: return h->model->actuator_ctrlrange;
    case SRL_QPOS0: return h->model->qpos0;
    case SRL_XMAT: return h->data->xmat;
    case SRL_SUBTREE_COM: return h->data->subtree_com;
    case SRL_SENSORDATA: return h->data->sensordata;
    case SRL_ACT: return h->data->act;
    case SRL_TIME: return &h->data->time;
    case SRL_BODY_SUBTREEMASS: return h->model->body_subtreemass;
    case SRL_GRAVITY: return h->model->opt.gravity;
    case SRL_JNT_RANGE: return h->model->jnt_range;
    default: return NULL;
  }
}

// The id of the body called name, or -1.
int srl_mj_body_id(void* opaque, const char* name) {
  return mj_name2id(((srl_mj_handle*)opaque)->model, mjOBJ_BODY, name);
}

// mj_resetData: the model's default state (qpos0, zero velocity, time 0, cleared derived quantities).
void srl_mj_reset(void* opaque) {
  install_handler();
  srl_mj_handle* h = (srl_mj_handle*)opaque;
  mj_resetData(h->model, h->data);
}

// mj_forward: derived quantities (kinematics, forces, accelerations) of the current state.
void srl_mj_forward(void* opaque) {
  install_handler();
  srl_mj_handle* h = (srl_mj_handle*)opaque;
  mj_forward(h->model, h->data);
}

// frames calls of mj_step with the current ctrl, then mj_rnePostConstraint (fills cfrc_ext, cacc, cfrc_int).
void srl_mj_step(void* opaque, int frames) {
  install_handler();
  srl_mj_handle* h = (srl_mj_handle*)opaque;
  for (int i = 0; i < frames; ++i) mj_step(h->model, h->data);
  mj_rnePostConstraint(h->model, h->data);
}

// Bare mj_step calls, for measuring the simulator alone.
void srl_mj_step_only(void* opaque, int frames) {
  install_handler();
  srl_mj_handle* h = (srl_mj_handle*)opaque;
  for (int i = 0; i < frames; ++i) mj_step(h->model, h->data);
}

// The integration state (mjSTATE_INTEGRATION: time, qpos, qvel, act, warm start, controls, applied forces...).
void srl_mj_get_state(void* opaque, double* state) {
  srl_mj_handle* h = (srl_mj_handle*)opaque;
  mj_getState(h->model, h->data, state, mjSTATE_INTEGRATION);
}

void srl_mj_set_state(void* opaque, const double* state) {
  install_handler();
  srl_mj_handle* h = (srl_mj_handle*)opaque;
  mj_setState(h->model, h->data, state, mjSTATE_INTEGRATION);
}

// The id of the element of kind (SRL_OBJ_*) called name, or -1 (also for an unknown kind).
int srl_mj_name_id(void* opaque, int kind, const char* name) {
  const mjModel* m = ((srl_mj_handle*)opaque)->model;
  switch (kind) {
    case SRL_OBJ_BODY: return mj_name2id(m, mjOBJ_BODY, name);
    case SRL_OBJ_JOINT: return mj_name2id(m, mjOBJ_JOINT, name);
    case SRL_OBJ_SENSOR: return mj_name2id(m, mjOBJ_SENSOR, name);
    case SRL_OBJ_SITE: return mj_name2id(m, mjOBJ_SITE, name);
    case SRL_OBJ_GEOM: return mj_name2id(m, mjOBJ_GEOM, name);
    default: return -1;
  }
}

// Joint j's type (mjtJoint: 0 free, 1 ball, 2 slide, 3 hinge), qpos address, dof address and whether it is
// limited, in info[0..3]. Returns 0, or -1 when j is out of range.
int srl_mj_joint_info(void* opaque, int j, int* info) {
  const mjModel* m = ((srl_mj_handle*)opaque)->model;
  if (j < 0 || j >= m->njnt) return -1;
  info[0] = m->jnt_type[j];
  info[1] = m->jnt_qposadr[j];
  info[2] = m->jnt_dofadr[j];
  info[3] = m->jnt_limited[j] ? 1 : 0;
  return 0;
}

// Sensor s's type (mjtSensor: 0 touch, 1 accelerometer, 2 velocimeter, 3 gyro, 4 force, 5 torque, ...),
// address in sensordata and dimension, in info[0..2]. Returns 0, or -1 when s is out of range.
int srl_mj_sensor_info(void* opaque, int s, int* info) {
  const mjModel* m = ((srl_mj_handle*)opaque)->model;
  if (s < 0 || s >= m->nsensor) return -1;
  info[0] = m->sensor_type[s];
  info[1] = m->sensor_adr[s];
  info[2] = m->sensor_dim[s];
  return 0;
}

// dm_control's Physics.step with legacy_step (its default): assumes mj_step1 already ran for the current
// state, so finishes that step with mj_step2, takes nstep - 1 full steps, then mj_step1 so that position- and
// velocity-dependent quantities match the new state. With the RK4 integrator: nstep mj_step calls, then
// mj_step1.
void srl_mj_step_legacy(void* opaque, int nstep) {
  install_handler();
  srl_mj_handle* h = (srl_mj_handle*)opaque;
  if (h->model->opt.integrator != mjINT_RK4) {
    mj_step2(h->model, h->data);
    for (int i = 1; i < nstep; ++i) mj_step(h->model, h->data);
  } else {
    for (int i = 0; i < nstep; ++i) mj_step(h->model, h->data);
  }
  mj_step1(h->model, h->data);
}

// mj_forward with actuation disabled (dm_control's Physics.reset and after_reset).
void srl_mj_forward_without_actuation(void* opaque) {
  install_handler();
  srl_mj_handle* h = (srl_mj_handle*)opaque;
  int flags = h->model->opt.disableflags;
  h->model->opt.disableflags = flags | mjDSBL_ACTUATION;
  mj_forward(h->model, h->data);
  h->model->opt.disableflags = flags;
}

// mj_step1 alone: position- and velocity-dependent quantities of the current state (what dm_control's legacy
// step leaves computed), e.g. after restoring a saved state.
void srl_mj_step1(void* opaque) {
  install_handler();
  srl_mj_handle* h = (srl_mj_handle*)opaque;
  mj_step1(h->model, h->data);
}
