# Sourced by the bench scripts: files made once into the shared cache.

# Write $2 from the standard output of the shell command $1, unless it is
# there already: into a temporary file, then renamed, so a file in the
# cache is always whole (other runs and helpers share the cache).
make_once() {
	[ -s "$2" ] && return
	echo "  making $(basename "$2")" >&2
	nice -n 10 sh -c "$1" > "$2.tmp.$$"
	mv "$2.tmp.$$" "$2"
}
