"""Writes the model XML of each DeepMind Control Suite task SparseRL runs, exactly as dm_control builds it.

Usage: export_dmc_models.py OUTPUT_FOLDER

Some suite tasks edit their domain's XML in Python when they are created (quadruped and dog resize the floor
and remove the walls, ball and target); the others read their XML file unchanged. So that the Swift side loads
exactly the model each task simulates, this script creates every task with `suite.load`, captures the XML
string the task passes to `Physics.from_xml_string`, and writes it to OUTPUT_FOLDER/<domain>-<task>.xml. The
assets the XML refers to (`./common/*.xml`, dog's meshes and textures) are the installed package's own files:
OUTPUT_FOLDER/common and OUTPUT_FOLDER/dog_assets link to them. Each written file is then compiled from disk and
every field of its compiled model but the recorded asset paths must equal the suite task's.
Run by scripts/setup-mujoco.sh at setup time only; nothing here runs while training.
"""

import os
import sys

os.environ.setdefault("MUJOCO_GL", "disable")

import mujoco  # noqa: E402
import numpy as np  # noqa: E402
from dm_control import suite  # noqa: E402
from dm_control.mujoco import engine  # noqa: E402

# The tasks SparseRL registers as dmc/<domain>-<task> (keep in sync with DMC.tasks in Swift).
TASKS = [
    ("cheetah", "run"),
    ("walker", "walk"),
    ("walker", "run"),
    ("hopper", "hop"),
    ("quadruped", "run"),
    ("humanoid", "stand"),
    ("humanoid", "walk"),
    ("humanoid", "run"),
    ("dog", "stand"),
    ("dog", "walk"),
    ("dog", "trot"),
    ("dog", "run"),
]


# Where the compiled models may differ: the asset file paths MuJoCo records (relative to the XML file when
# loaded from disk, as given when loaded from memory).
PATH_FIELDS = {"paths", "npaths", "nbuffer", "mesh_pathadr", "skin_pathadr", "tex_pathadr", "hfield_pathadr"}


def differences(suite_model, disk_model):
    """Names of the compiled model's fields (arrays, sizes, options) that differ, except file paths."""
    found = []
    for owner, a, b in (("", suite_model, disk_model), ("opt.", suite_model.opt, disk_model.opt)):
        for name in dir(a):
            if name.startswith("_") or name in PATH_FIELDS:
                continue
            x, y = getattr(a, name), getattr(b, name)
            if isinstance(x, np.ndarray):
                if x.shape != y.shape or not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
                    found.append(owner + name)
            elif isinstance(x, (int, float)) and not isinstance(x, bool) and x != y:
                found.append(owner + name)
    return found


def main():
    output = sys.argv[1]
    os.makedirs(output, exist_ok=True)
    suite_dir = os.path.dirname(suite.__file__)
    for folder in ("common", "dog_assets"):
        link = os.path.join(output, folder)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(os.path.join(suite_dir, folder), link)

    original = engine.Physics.from_xml_string.__func__
    captured = []

    def capture(cls, xml_string, assets=None):
        captured.append(xml_string)
        return original(cls, xml_string, assets)

    engine.Physics.from_xml_string = classmethod(capture)
    for domain, task in TASKS:
        captured.clear()
        env = suite.load(domain, task)
        if len(captured) != 1:
            raise SystemExit(f"{domain}-{task}: expected one model, the suite built {len(captured)}")
        xml = captured[0]
        path = os.path.join(output, f"{domain}-{task}.xml")
        with open(path, "wb") as file:
            file.write(xml if isinstance(xml, bytes) else xml.encode())
        from_disk = mujoco.MjModel.from_xml_path(path)
        different = differences(env.physics.model.ptr, from_disk)
        if different:
            raise SystemExit(f"{path} does not compile to the suite's {domain}-{task} model: {different}")
    print(f"export_dmc_models: {len(TASKS)} models from dm_control in {output}")


if __name__ == "__main__":
    main()
