-- SPDX-License-Identifier: MIT
--
-- wrk scenario "submissions" (tests/bench/run.sh): POST /api/v1/applications,
-- every request a distinct valid body (a fresh ID number, a unique e-mail and
-- subject per run, wrk thread and request). One in four is an information
-- request to SAGLIK (the target institution is looked up), the others are
-- petitions. Each 202 is one committed transaction: the application, its
-- first event, the verification token and the outbox mail.
-- Expected answer: 202.
dofile(os.getenv("BIMER_BENCH_DIR") .. "/common.lua")

local nonce

function bench.init(args)
	nonce = string.format("%x%04x", os.time(), math.random(0, 65535))
end

local petition = '{"type":"dilekce","category":"sikayet",' ..
	'"subject":"Kaldırım onarımı talebi %s-%d-%d",' ..
	'"body":"Mahallemizdeki kaldırımlar uzun süredir bozuk ve yayalar yola inmek zorunda ' ..
	'kalıyor. Özellikle okul saatlerinde çocuklar için tehlike oluşturuyor; gereğinin ' ..
	'yapılmasını saygılarımla arz ederim.","province_code":"06",' ..
	'"applicant":{"tc_kimlik_no":"%s","first_name":"Ayşe","last_name":"Yılmaz",' ..
	'"email":"bench.%s.%d.%d@example.com.tr",' ..
	'"address":"Kızılay Mah. Atatürk Bulvarı No:1 Çankaya/Ankara"}}'

local info = '{"type":"bilgi_edinme","target_institution_code":"SAGLIK",' ..
	'"subject":"Aşı istatistikleri %s-%d-%d",' ..
	'"body":"2025 yılında Ankara ilinde uygulanan aşı sayılarının aylara göre dağılımını ' ..
	'4982 sayılı Kanun uyarınca öğrenmek istiyorum.","province_code":"06",' ..
	'"applicant":{"tc_kimlik_no":"%s","first_name":"Mehmet","last_name":"Demir",' ..
	'"email":"bench.%s.%d.%d@example.com.tr",' ..
	'"address":"Cumhuriyet Mah. İnönü Cad. No:5 Keçiören/Ankara"}}'

function bench.build(i)
	local t = thread_no or 0
	local body = string.format(i % 4 == 0 and info or petition, nonce, t, i, bench.tckn(),
		nonce, t, i)
	return wrk.format("POST", "/api/v1/applications", bench.json_headers, body)
end
