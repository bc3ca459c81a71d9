-- Quiz submission (grading included): POST with the learner's session cookie, its CSRF token and a fresh
-- submission_token per request. Each request takes the next learner's session from BENCH_SESSIONS (lines of
-- "cookie<TAB>csrf_token<TAB>path"), so one enrolment's row lock does not serialise the whole run. The answers are
-- wrong on purpose: the quiz stays open and every request is graded and stored as a new attempt.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local sessions = {}
local next_session = 1
local counter = 0
local user_agent = os.getenv("BENCH_USER_AGENT")

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  for line in io.lines(os.getenv("BENCH_SESSIONS")) do
    local cookie, csrf, path = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    if cookie then
      table.insert(sessions, { cookie = cookie, csrf = urlencode(csrf), path = path })
    end
  end
  next_session = ((id or 1) * 7919) % #sessions + 1
  math.randomseed(os.time() + (id or 1) * 1000003)
end

function request()
  local s = sessions[next_session]
  next_session = next_session % #sessions + 1
  counter = counter + 1
  local token = string.format("b%d-%d-%08x%08x", id or 1, counter, math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
  local body = "csrf_token=" .. s.csrf .. "&q-q1=b&q-q2=a&submission_token=" .. token
  return wrk.format("POST", s.path, {
    ["Cookie"] = s.cookie,
    ["User-Agent"] = user_agent,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
