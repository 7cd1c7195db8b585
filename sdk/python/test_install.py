"""The package installs with pip from the checkout, offline (no package index): into a fresh virtual environment that
sees the system's packages (grpcio, protobuf, setuptools), with no build isolation.

    python3 -m unittest discover -s sdk/python -p 'test_*.py'
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class InstallTests(unittest.TestCase):
    def test_pip_installs_the_package_offline_and_both_names_import(self):
        work = tempfile.mkdtemp()
        try:
            # A copy, so that the build's files (build/, *.egg-info) never land in the checkout.
            source = os.path.join(work, "src")
            shutil.copytree(HERE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
            venv = os.path.join(work, "venv")
            subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True)
            python = os.path.join(venv, "bin", "python")
            install = subprocess.run([python, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--quiet", source],
                                     capture_output=True, text=True)
            self.assertEqual(0, install.returncode, install.stdout + install.stderr)
            check = subprocess.run([python, "-c", "import skein, skein_module, skein.module, skein.client; "
                                                  "assert skein_module is skein.module; print(skein.__version__)"],
                                   capture_output=True, text=True, cwd=work)
            self.assertEqual(0, check.returncode, check.stderr)
            with open(os.path.join(HERE, "skein", "_version.py")) as f:
                self.assertIn('"%s"' % check.stdout.strip(), f.read())
        finally:
            shutil.rmtree(work)


if __name__ == "__main__":
    unittest.main()
