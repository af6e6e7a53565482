#!/bin/sh
# Create a virtualenv with lifetimes for the benchmarks, outside the project's own environment.
#
#   sh bench/analytics/setup-lifetimes-venv.sh [DIR]     (default DIR: .venv-lifetimes)
#
# lifetimes 0.11.3 (the last release) installs and runs with numpy 2, scipy 1.17 and pandas 3,
# so the benches can also use it from the project's dev environment; this script keeps it
# apart for when a future numpy/pandas breaks it. Pass the result to the benches:
#   PYTHONPATH=src python bench/analytics/bench_bgnbd.py --lifetimes-python DIR/bin/python
set -eu
DIR="${1:-.venv-lifetimes}"
python3 -m venv "$DIR"
"$DIR/bin/pip" install --quiet "lifetimes==0.11.3" "numpy>=2.0" "pandas>=2.2" "scipy>=1.13"
"$DIR/bin/python" -c "import lifetimes, numpy, pandas, scipy; print('lifetimes', lifetimes.__version__, 'numpy', numpy.__version__, 'pandas', pandas.__version__, 'scipy', scipy.__version__)"
echo "lifetimes venv ready: $DIR/bin/python"
