/*
 * config.c — boot.cfg parser; see config.h for the format.
 */
#include "boot/config.h"
#include "boot/fmt.h"
#include "pxvm/ascii.h"

/* A slice of the input text. */
struct span {
	const char *p;
	size_t n;
};

/* How much of a bad line or value a warning quotes. */
#define QUOTE_MAX 40

struct parser {
	struct boot_config *cfg;
	config_warn_fn warn;
	void *ctx;
	unsigned line;
	unsigned warnings;
};

static void warnf(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warnf(struct parser *ps, const char *fmt, ...)
{
	char msg[200];
	int n = fmt_snprintf(msg, sizeof(msg), "line %u: ", ps->line);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	ps->warnings++;
	if (ps->warn)
		ps->warn(ps->ctx, msg);
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static struct span trim(struct span s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && (is_blank(s.p[s.n - 1]) || s.p[s.n - 1] == '\r'))
		s.n--;
	return s;
}

static bool span_is(struct span s, const char *word)
{
	size_t i = 0;
	for (; word[i]; i++)
		if (i >= s.n || s.p[i] != word[i])
			return false;
	return i == s.n;
}

static int quote_len(struct span s) { return (int)(s.n < QUOTE_MAX ? s.n : QUOTE_MAX); }

/* Parse a decimal 1..65535 filling all of `s`. */
static bool parse_dim(struct span s, uint32_t *out)
{
	if (s.n == 0 || s.n > 5)
		return false;
	uint32_t v = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s.p[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*out = v;
	return true;
}

static void set_video(struct parser *ps, struct span v)
{
	size_t x = 0;
	while (x < v.n && v.p[x] != 'x' && v.p[x] != 'X')
		x++;
	uint32_t w, h;
	if (x == v.n || !parse_dim((struct span){ v.p, x }, &w) ||
	    !parse_dim((struct span){ v.p + x + 1, v.n - x - 1 }, &h)) {
		warnf(ps, "video \"%.*s\" is not WIDTHxHEIGHT, e.g. 1024x768 (ignored)",
		      quote_len(v), v.p);
		return;
	}
	ps->cfg->video_width = w;
	ps->cfg->video_height = h;
}

static void set_path(struct parser *ps, const char *key, struct span v, char *dst)
{
	bool absolute = v.p[0] == '\\' || v.p[0] == '/';
	size_t need = v.n + (absolute ? 0 : 1) + 1;
	if (need > CONFIG_PATH_MAX) {
		warnf(ps, "%s path is %zu bytes, longer than the %u allowed (ignored)",
		      key, v.n, CONFIG_PATH_MAX - 1);
		return;
	}
	for (size_t i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if (!ascii_printable(c)) {
			warnf(ps, "%s path has a byte (0x%02x) outside printable ASCII (ignored)", key, c);
			return;
		}
	}
	size_t o = 0;
	if (!absolute)
		dst[o++] = '\\';
	for (size_t i = 0; i < v.n; i++)
		dst[o++] = v.p[i] == '/' ? '\\' : v.p[i];
	dst[o] = '\0';
}

static void set_cmdline(struct parser *ps, struct span v)
{
	if (v.n > PXOS_CMDLINE_MAX - 1) {
		warnf(ps, "cmdline is %zu bytes, longer than the %u allowed (ignored)",
		      v.n, PXOS_CMDLINE_MAX - 1);
		return;
	}
	for (size_t i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if (!ascii_printable(c)) {
			warnf(ps, "cmdline has a byte (0x%02x) outside printable ASCII (ignored)", c);
			return;
		}
	}
	__builtin_memcpy(ps->cfg->cmdline, v.p, v.n);
	ps->cfg->cmdline[v.n] = '\0';
}

static void parse_line(struct parser *ps, struct span line)
{
	line = trim(line);
	if (line.n == 0 || line.p[0] == '#')
		return;
	for (size_t i = 0; i < line.n; i++) {
		if (line.p[i] == '\0') {
			warnf(ps, "contains a NUL byte (ignored)");
			return;
		}
	}
	size_t eq = 0;
	while (eq < line.n && line.p[eq] != '=')
		eq++;
	struct span key = trim((struct span){ line.p, eq });
	bool key_ok = eq < line.n && key.n > 0;
	for (size_t i = 0; key_ok && i < key.n; i++)
		if (is_blank(key.p[i]))
			key_ok = false;
	if (!key_ok) {
		warnf(ps, "expected \"key = value\", found \"%.*s\" (ignored)", quote_len(line), line.p);
		return;
	}
	struct span val = trim((struct span){ line.p + eq + 1, line.n - eq - 1 });
	if (val.n >= 2 && val.p[0] == '"' && val.p[val.n - 1] == '"') {
		val.p++;
		val.n -= 2;
	}

	if (span_is(key, "video")) {
		if (val.n == 0)
			warnf(ps, "video has no value (ignored)");
		else
			set_video(ps, val);
	} else if (span_is(key, "kernel") || span_is(key, "ramdisk") || span_is(key, "resume")) {
		bool is_kernel = span_is(key, "kernel"), is_resume = span_is(key, "resume");
		const char *name = is_kernel ? "kernel" : is_resume ? "resume" : "ramdisk";
		if (val.n == 0 && is_resume)
			ps->cfg->resume[0] = '\0'; /* an empty resume clears it: boot normally */
		else if (val.n == 0)
			warnf(ps, "%s has no value (ignored)", name);
		else
			set_path(ps, name, val, is_kernel ? ps->cfg->kernel : is_resume ? ps->cfg->resume : ps->cfg->ramdisk);
	} else if (span_is(key, "cmdline")) {
		set_cmdline(ps, val); /* an empty cmdline is allowed: it clears it */
	} else {
		warnf(ps, "unknown key \"%.*s\" (ignored; known keys: video, kernel, ramdisk, resume, cmdline)",
		      quote_len(key), key.p);
	}
}

void config_defaults(struct boot_config *cfg)
{
	__builtin_memset(cfg, 0, sizeof(*cfg));
}

unsigned config_parse(const char *text, size_t len, struct boot_config *cfg,
		      config_warn_fn warn, void *ctx)
{
	struct parser ps = { .cfg = cfg, .warn = warn, .ctx = ctx, .line = 0, .warnings = 0 };
	size_t pos = 0;
	if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
	    (unsigned char)text[2] == 0xBF)
		pos = 3; /* UTF-8 byte-order mark */
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		ps.line++;
		parse_line(&ps, (struct span){ text + pos, end - pos });
		pos = end + 1;
	}
	return ps.warnings;
}
