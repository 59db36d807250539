-- SPDX-License-Identifier: MIT
--
-- Demo institution tree (design.md "Local defaults"), loaded by
-- `bimer-migrate demo` inside one transaction. Every statement is an upsert,
-- so loading twice leaves the same rows. Parents come before children.
-- The seven demo accounts are created by the tool itself (services/migrate/
-- mig_demo.c), which hashes BIMER_DEMO_PASSWORD with argon2id.
--
-- Tree: BIMER (centre) > ministries, ETIK-KURUL, BEDK; ministries > general
-- directorates > departments; ministries (or a general directorate) >
-- provincial and regional directorates, which carry their province;
-- ICISLERI > VALILIK-NN (all 81, province NN) > KAYMAKAMLIK-NN-NAME.
-- The bodies outside the system (rules.md W4) are roots of their own with
-- kind external and in_scope 0.

-- The centre.
INSERT INTO institutions (code, name, kind, parent_code, province_code, in_scope, active) VALUES
    ('BIMER', 'Başbakanlık İletişim Merkezi (BİMER)', 'centre', NULL, NULL, 1, 1)
ON DUPLICATE KEY UPDATE name = VALUES(name), kind = VALUES(kind),
    parent_code = VALUES(parent_code), province_code = VALUES(province_code),
    in_scope = VALUES(in_scope), active = VALUES(active);

-- Ministries and the two boards, under the centre.
INSERT INTO institutions (code, name, kind, parent_code, province_code, in_scope, active) VALUES
    ('ADALET', 'Adalet Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('AILE', 'Aile ve Sosyal Hizmetler Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('CSGB', 'Çalışma ve Sosyal Güvenlik Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('CSB', 'Çevre, Şehircilik ve İklim Değişikliği Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('DISISLERI', 'Dışişleri Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('ENERJI', 'Enerji ve Tabii Kaynaklar Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('GSB', 'Gençlik ve Spor Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('HMB', 'Hazine ve Maliye Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('ICISLERI', 'İçişleri Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('KTB', 'Kültür ve Turizm Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('MEB', 'Millî Eğitim Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('MSB', 'Millî Savunma Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('SAGLIK', 'Sağlık Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('SANAYI', 'Sanayi ve Teknoloji Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('TARIM', 'Tarım ve Orman Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('TICARET', 'Ticaret Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('UAB', 'Ulaştırma ve Altyapı Bakanlığı', 'ministry', 'BIMER', NULL, 1, 1),
    ('ETIK-KURUL', 'Kamu Görevlileri Etik Kurulu', 'ethics_board', 'BIMER', NULL, 1, 1),
    ('BEDK', 'Bilgi Edinme Değerlendirme Kurulu', 'bedk', 'BIMER', NULL, 1, 1)
ON DUPLICATE KEY UPDATE name = VALUES(name), kind = VALUES(kind),
    parent_code = VALUES(parent_code), province_code = VALUES(province_code),
    in_scope = VALUES(in_scope), active = VALUES(active);

-- General directorates under their ministries, then departments.
INSERT INTO institutions (code, name, kind, parent_code, province_code, in_scope, active) VALUES
    ('SAGLIK-SHGM', 'Sağlık Hizmetleri Genel Müdürlüğü', 'general_directorate', 'SAGLIK', NULL, 1, 1),
    ('SAGLIK-HSGM', 'Halk Sağlığı Genel Müdürlüğü', 'general_directorate', 'SAGLIK', NULL, 1, 1),
    ('MEB-TEGM', 'Temel Eğitim Genel Müdürlüğü', 'general_directorate', 'MEB', NULL, 1, 1),
    ('ICISLERI-EGM', 'Emniyet Genel Müdürlüğü', 'general_directorate', 'ICISLERI', NULL, 1, 1),
    ('UAB-KGM', 'Karayolları Genel Müdürlüğü', 'general_directorate', 'UAB', NULL, 1, 1),
    ('TARIM-OGM', 'Orman Genel Müdürlüğü', 'general_directorate', 'TARIM', NULL, 1, 1)
ON DUPLICATE KEY UPDATE name = VALUES(name), kind = VALUES(kind),
    parent_code = VALUES(parent_code), province_code = VALUES(province_code),
    in_scope = VALUES(in_scope), active = VALUES(active);

INSERT INTO institutions (code, name, kind, parent_code, province_code, in_scope, active) VALUES
    ('SAGLIK-SHGM-HHDB', 'Hasta Hakları ve Tıbbi Sosyal Hizmetler Dairesi Başkanlığı',
     'department', 'SAGLIK-SHGM', NULL, 1, 1),
    ('MEB-TEGM-OODB', 'Okul Öncesi Eğitim Dairesi Başkanlığı', 'department', 'MEB-TEGM', NULL, 1, 1)
ON DUPLICATE KEY UPDATE name = VALUES(name), kind = VALUES(kind),
    parent_code = VALUES(parent_code), province_code = VALUES(province_code),
    in_scope = VALUES(in_scope), active = VALUES(active);

-- The 81 governorships, one per province, under the Interior Ministry. The
-- names come from the provinces table: "<il> Valiliği".
INSERT INTO institutions (code, name, kind, parent_code, province_code, in_scope, active)
SELECT CONCAT('VALILIK-', p.code), CONCAT(p.name, ' Valiliği'), 'governorship', 'ICISLERI',
       p.code, 1, 1
FROM provinces p
ORDER BY p.code
ON DUPLICATE KEY UPDATE name = VALUES(name), kind = VALUES(kind),
    parent_code = VALUES(parent_code), province_code = VALUES(province_code),
    in_scope = VALUES(in_scope), active = VALUES(active);

-- District governorships of Ankara and İstanbul.
INSERT INTO institutions (code, name, kind, parent_code, province_code, in_scope, active) VALUES
    ('KAYMAKAMLIK-06-CANKAYA', 'Çankaya Kaymakamlığı', 'district_governorship', 'VALILIK-06', '06', 1, 1),
    ('KAYMAKAMLIK-06-KECIOREN', 'Keçiören Kaymakamlığı', 'district_governorship', 'VALILIK-06', '06', 1, 1),
    ('KAYMAKAMLIK-06-YENIMAHALLE', 'Yenimahalle Kaymakamlığı', 'district_governorship', 'VALILIK-06', '06', 1, 1),
    ('KAYMAKAMLIK-06-MAMAK', 'Mamak Kaymakamlığı', 'district_governorship', 'VALILIK-06', '06', 1, 1),
    ('KAYMAKAMLIK-06-ETIMESGUT', 'Etimesgut Kaymakamlığı', 'district_governorship', 'VALILIK-06', '06', 1, 1),
    ('KAYMAKAMLIK-06-POLATLI', 'Polatlı Kaymakamlığı', 'district_governorship', 'VALILIK-06', '06', 1, 1),
    ('KAYMAKAMLIK-34-KADIKOY', 'Kadıköy Kaymakamlığı', 'district_governorship', 'VALILIK-34', '34', 1, 1),
    ('KAYMAKAMLIK-34-USKUDAR', 'Üsküdar Kaymakamlığı', 'district_governorship', 'VALILIK-34', '34', 1, 1),
    ('KAYMAKAMLIK-34-BESIKTAS', 'Beşiktaş Kaymakamlığı', 'district_governorship', 'VALILIK-34', '34', 1, 1),
    ('KAYMAKAMLIK-34-FATIH', 'Fatih Kaymakamlığı', 'district_governorship', 'VALILIK-34', '34', 1, 1),
    ('KAYMAKAMLIK-34-SISLI', 'Şişli Kaymakamlığı', 'district_governorship', 'VALILIK-34', '34', 1, 1)
ON DUPLICATE KEY UPDATE name = VALUES(name), kind = VALUES(kind),
    parent_code = VALUES(parent_code), province_code = VALUES(province_code),
    in_scope = VALUES(in_scope), active = VALUES(active);

-- Provincial directorates (under their ministry or general directorate, with
-- the province they serve) and regional directorates.
INSERT INTO institutions (code, name, kind, parent_code, province_code, in_scope, active) VALUES
    ('IL-MEB-06', 'Ankara İl Millî Eğitim Müdürlüğü', 'provincial_directorate', 'MEB', '06', 1, 1),
    ('IL-SAGLIK-06', 'Ankara İl Sağlık Müdürlüğü', 'provincial_directorate', 'SAGLIK', '06', 1, 1),
    ('IL-TARIM-06', 'Ankara İl Tarım ve Orman Müdürlüğü', 'provincial_directorate', 'TARIM', '06', 1, 1),
    ('IL-EMNIYET-06', 'Ankara İl Emniyet Müdürlüğü', 'provincial_directorate', 'ICISLERI-EGM', '06', 1, 1),
    ('IL-MEB-34', 'İstanbul İl Millî Eğitim Müdürlüğü', 'provincial_directorate', 'MEB', '34', 1, 1),
    ('IL-SAGLIK-34', 'İstanbul İl Sağlık Müdürlüğü', 'provincial_directorate', 'SAGLIK', '34', 1, 1),
    ('IL-MEB-35', 'İzmir İl Millî Eğitim Müdürlüğü', 'provincial_directorate', 'MEB', '35', 1, 1),
    ('KGM-BOLGE-04', 'Karayolları 4. Bölge Müdürlüğü', 'regional_directorate', 'UAB-KGM', '06', 1, 1),
    ('OGM-BOLGE-ISTANBUL', 'İstanbul Orman Bölge Müdürlüğü', 'regional_directorate', 'TARIM-OGM', '34', 1, 1)
ON DUPLICATE KEY UPDATE name = VALUES(name), kind = VALUES(kind),
    parent_code = VALUES(parent_code), province_code = VALUES(province_code),
    in_scope = VALUES(in_scope), active = VALUES(active);

-- Outside the system (rules.md W4): never a valid target.
INSERT INTO institutions (code, name, kind, parent_code, province_code, in_scope, active) VALUES
    ('TBMM', 'Türkiye Büyük Millet Meclisi', 'external', NULL, NULL, 0, 1),
    ('KDK', 'Kamu Denetçiliği Kurumu', 'external', NULL, NULL, 0, 1),
    ('YSK', 'Yüksek Seçim Kurulu', 'external', NULL, NULL, 0, 1),
    ('HSK', 'Hâkimler ve Savcılar Kurulu', 'external', NULL, NULL, 0, 1),
    ('SAYISTAY', 'Sayıştay', 'external', NULL, NULL, 0, 1),
    ('ANAYASA-MAHKEMESI', 'Anayasa Mahkemesi', 'external', NULL, NULL, 0, 1),
    ('YARGITAY', 'Yargıtay', 'external', NULL, NULL, 0, 1),
    ('DANISTAY', 'Danıştay', 'external', NULL, NULL, 0, 1),
    ('UYUSMAZLIK-MAHKEMESI', 'Uyuşmazlık Mahkemesi', 'external', NULL, NULL, 0, 1),
    ('MAHKEMELER', 'Adli ve idari yargı mahkemeleri', 'external', NULL, NULL, 0, 1)
ON DUPLICATE KEY UPDATE name = VALUES(name), kind = VALUES(kind),
    parent_code = VALUES(parent_code), province_code = VALUES(province_code),
    in_scope = VALUES(in_scope), active = VALUES(active);
