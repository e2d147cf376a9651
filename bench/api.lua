-- wrk script of bench/api: one workload of planpipe's API per run.
--
--   wrk -c N -t T -d S --latency -s bench/api.lua URL -- DATA_FILE WORKLOAD T
--
-- DATA_FILE is the Lua table bench/api writes (token, project, story keys,
-- backlog pages, list filters, stories to transition); WORKLOAD is one of
-- story, backlog, list, create, transition, mixed. Every response that is
-- not a 2xx is counted, and done() prints one machine-readable line
-- (`planpipe-api-result ...`) that bench/api parses: a run with any non-2xx
-- response or socket error fails the benchmark.

local threads = {}
local counter = 1

-- Main state: number the threads so each transitions its own stories.
function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

local data, workload, headers, json_headers
local story_keys, backlog_pages, list_paths, flips
local flip_next, created = 1, 0
non2xx = 0
first_error = ""

function init(args)
	local file, mode, nthreads = args[1], args[2], tonumber(args[3])
	if file == nil or mode == nil or nthreads == nil then
		error("usage: wrk -t THREADS ... -s bench/api.lua URL -- DATA_FILE WORKLOAD THREADS")
	end
	data = dofile(file)
	workload = mode
	headers = { ["Authorization"] = "Bearer " .. data.token, ["Accept"] = "application/json" }
	json_headers = {
		["Authorization"] = "Bearer " .. data.token,
		["Accept"] = "application/json",
		["Content-Type"] = "application/json",
	}
	story_keys = data.stories
	backlog_pages = data.backlog_pages
	list_paths = data.lists
	math.randomseed(1000 + id)
	-- This thread's share of the stories to transition: every nthreads-th one,
	-- so that no two threads flip the same story.
	flips = {}
	for i, s in ipairs(data.transitions) do
		if (i - 1) % nthreads == id - 1 then
			table.insert(flips, { project = s[1], key = s[2], status = s[3] })
		end
	end
	local valid = { story = 1, backlog = 1, list = 1, create = 1, transition = 1, mixed = 1 }
	if valid[workload] == nil then
		error("unknown workload '" .. workload .. "' (story, backlog, list, create, transition, mixed)")
	end
	if (workload == "transition" or workload == "mixed") and #flips == 0 then
		error("thread " .. id .. " has no story to transition (" .. #data.transitions .. " stories for "
			.. nthreads .. " threads)")
	end
end

local function pick(list)
	return list[math.random(#list)]
end

local function get_story()
	local s = pick(story_keys)
	return wrk.format("GET", "/v1/projects/" .. s[1] .. "/stories/" .. s[2], headers)
end

local function get_backlog()
	return wrk.format("GET", pick(backlog_pages), headers)
end

local function get_list()
	return wrk.format("GET", pick(list_paths), headers)
end

local function create_story()
	created = created + 1
	local body = string.format('{"title": "Benchmark story %d-%d", "backlog": %d, "labels": ["bench"],'
		.. ' "priority": "medium", "estimate_points": 2, "body": "%s"}',
		id, created, data.create_backlog, data.create_body)
	return wrk.format("POST", "/v1/projects/" .. data.project .. "/stories", json_headers, body)
end

-- Round robin over this thread's stories, each going back and forth between
-- ready and in_progress: any status change is allowed and neither is a done
-- status, so the open-blockers rule never applies; no If-Match is sent.
local function transition()
	local s = flips[flip_next]
	flip_next = flip_next % #flips + 1
	s.status = (s.status == "in_progress") and "ready" or "in_progress"
	return wrk.format("POST", "/v1/projects/" .. s.project .. "/stories/" .. s.key .. "/transitions",
		json_headers, '{"to": "' .. s.status .. '", "note": "bench/api"}')
end

-- The mix: 90% reads (60% a story, 15% a backlog page, 15% the cross-project
-- list), 10% writes (5% create, 5% transition).
local function mixed()
	local r = math.random(100)
	if r <= 60 then
		return get_story()
	elseif r <= 75 then
		return get_backlog()
	elseif r <= 90 then
		return get_list()
	elseif r <= 95 then
		return create_story()
	end
	return transition()
end

local workloads = {
	story = get_story, backlog = get_backlog, list = get_list,
	create = create_story, transition = transition, mixed = mixed,
}

function request()
	return workloads[workload]()
end

function response(status, hdrs, body)
	if status < 200 or status > 299 then
		non2xx = non2xx + 1
		if first_error == "" then
			first_error = status .. " " .. string.sub(body or "", 1, 300):gsub("%s+", " ")
		end
	end
end

function done(summary, latency, requests)
	local bad, err = 0, ""
	for _, t in ipairs(threads) do
		bad = bad + t:get("non2xx")
		local e = t:get("first_error")
		if err == "" and e ~= nil and e ~= "" then
			err = e
		end
	end
	local e = summary.errors
	io.write(string.format("planpipe-api-result requests=%d duration_us=%d p50_us=%d p99_us=%d"
		.. " non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
		summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
		bad, e.connect, e.read, e.write, e.timeout))
	if err ~= "" then
		io.write("planpipe-api-first-error " .. err .. "\n")
	end
end
