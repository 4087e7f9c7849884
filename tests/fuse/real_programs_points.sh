#!/usr/bin/env bash
# The git and build checks of real_programs_test.sh, run in the current directory (on the mount)
# by whichever user runs this script; ARG 1 names that user in messages, ARG 2 is the tarball of
# the C source tree to unpack and build; last, what tar -p does to a setgid file (write, fchmod,
# futimens, close) must keep the mode and the time. Needs git, make, cc, tar and /usr/bin/python3.
set -euo pipefail
WHO=${1:?who runs the checks}
SRC_TAR=${2:?the C source tarball}

fail() {
  echo "FAIL ($WHO): $*" >&2
  exit 1
}
step() { echo "[$(date +%H:%M:%S)] ($WHO) $*" >&2; }

fsck_clean() {  # WHEN: git fsck --full exits 0 and prints nothing (no dangling or broken objects)
  local out
  out=$(git fsck --full --strict 2>&1) || fail "git fsck --full $1 failed: $out"
  [ -z "$out" ] || fail "git fsck --full $1 reported: $out"
}

# ---- git: init, commit, branch, checkout, fsck, log, gc, clone ----
export GIT_AUTHOR_NAME="Tessera Test" GIT_AUTHOR_EMAIL=test@example.invalid
export GIT_COMMITTER_NAME="Tessera Test" GIT_COMMITTER_EMAIL=test@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
step "git"
git init -q -b main repo || fail "git init"
cd repo
mkdir -p src docs
printf 'int main(void) { return 0; }\n' >src/main.c
printf '# Project\n' >README.md
printf 'line %d\n' $(seq 1 2000) >docs/long.txt
printf '#!/bin/sh\necho run\n' >run.sh
chmod 755 run.sh
git add -A || fail "git add"
git commit -q -m "first" || fail "git commit on main"
git checkout -q -b feature || fail "git checkout -b feature"
printf 'feature work\n' >>README.md
printf 'new\n' >src/feature.txt
git rm -q docs/long.txt || fail "git rm"
git add -A || fail "git add on feature"
git commit -q -m "on feature" || fail "git commit on feature"
git checkout -q main || fail "git checkout main"
[ "$(cat README.md)" = "# Project" ] || fail "checkout main left README.md as: $(cat README.md)"
[ ! -e src/feature.txt ] || fail "checkout main kept the feature branch's new file"
[ "$(wc -l <docs/long.txt)" = 2000 ] || fail "checkout main did not bring back docs/long.txt"
[ -x run.sh ] || fail "run.sh lost its executable bit"
[ -z "$(git status --porcelain)" ] || fail "git status not clean on main: $(git status --porcelain)"
fsck_clean "after the checkout"
[ "$(git log --format=%s main)" = "first" ] || fail "git log main: $(git log --format=%s main)"
[ "$(git log --format=%s feature | tr '\n' ' ')" = "on feature first " ] \
  || fail "git log feature: $(git log --format=%s feature)"
git merge -q --ff-only feature || fail "git merge --ff-only feature"
[ "$(git rev-parse main)" = "$(git rev-parse feature)" ] || fail "main did not move to feature"
git gc -q --aggressive || fail "git gc"
fsck_clean "after git gc"
[ "$(git count-objects -v | sed -n 's/^count: //p')" = 0 ] || fail "git gc left loose objects"
cd ..
git clone -q repo clone || fail "git clone (local, hard-links objects)"
(cd clone && fsck_clean "in the clone")
[ "$(git -C clone log --format=%s | tr '\n' ' ')" = "on feature first " ] || fail "git log in the clone"
cmp clone/README.md repo/README.md || fail "the clone's README.md differs"
rm -rf repo clone || fail "rm -rf of the repositories"

# ---- untar a C source tree, make, run; make again is a no-op; touching a source rebuilds ----
step "build"
mkdir build && cd build
tar -xf "$SRC_TAR" || fail "untar the source tree"
make -j2 >make.log 2>&1 || { cat make.log >&2; fail "make"; }
[ "$(./calc 6 7)" = "sum=13 product=42 greeting=hello from tessera" ] \
  || fail "the built program printed: $(./calc 6 7)"
make -q || fail "make -q: a second make would rebuild (mtimes after the build are wrong)"
touch src/add.c
[ "$(make -n | grep -c 'cc ')" = 2 ] || fail "after touching add.c make would run: $(make -n)"
make >/dev/null || fail "make after touching add.c"
make -q || fail "make -q after the rebuild"
make clean >/dev/null || fail "make clean"
[ ! -e calc ] && [ -z "$(find . -name '*.o')" ] || fail "make clean left files"
cd ..
rm -rf build || fail "rm -rf of the build tree"

# ---- what tar -p does with a setgid file: write, fchmod and futimens on the open file, close ----
step "write, fchmod 2755, futimens, close"
got=$(/usr/bin/python3 - <<'PYEOF'
import os
fd = os.open("tar-like", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, b"#!/bin/sh\n" * 100)
os.fchmod(fd, 0o2755)
os.utime(fd, ns=(1_500_000_000_000_000_001, 1_600_000_000_000_000_002))
os.close(fd)
st = os.stat("tar-like")
print("%o %d %d" % (st.st_mode & 0o7777, st.st_mtime_ns, st.st_size))
PYEOF
) || fail "the tar-like write"
[ "$got" = "2755 1600000000000000002 1000" ] || fail "after write+fchmod+futimens+close: $got"
rm tar-like
step "git and build passed"
