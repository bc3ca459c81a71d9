-- GET of one page, as the learner whose cookie is in BENCH_COOKIE (empty: anonymous). The User-Agent must match
-- the one the learner logged in with: Flask-Login's session protection is "strong".
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

wrk.headers["User-Agent"] = os.getenv("BENCH_USER_AGENT")
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
