-- Product descriptions in Hungarian (SPEC §10): the catalog shows each product's description in
-- the reader's language; an empty description_hu shows the English description. The UPDATEs give
-- a database loaded with the demo catalog before this migration the texts a fresh load writes
-- (internal/demo/catalog.go; a test keeps the two the same). Other catalogs are unaffected.
ALTER TABLE products ADD COLUMN description_hu TEXT NOT NULL DEFAULT '';

UPDATE products SET description_hu = 'Örökös licenc a Windows Server 2022 Standard két fizikai magjához; ha a gazdagép összes magja licencelve van, legfeljebb két virtuális gépre terjed ki.' WHERE id = 'DG7GMGF0D5RK' AND description_hu = '';
UPDATE products SET description_hu = 'Örökös licenc a Windows Server 2022 Datacenter két fizikai magjához; ha a gazdagép összes magja licencelve van, korlátlan számú virtuális gépet futtathat.' WHERE id = 'DG7GMGF0D5RH' AND description_hu = '';
UPDATE products SET description_hu = 'Ügyfél-hozzáférési licenc (CAL), amellyel egy megnevezett felhasználó tetszőleges számú eszközről hozzáférhet a Windows Server 2022-höz.' WHERE id = 'DG7GMGF0D8H4' AND description_hu = '';
UPDATE products SET description_hu = 'Ügyfél-hozzáférési licenc (CAL), amellyel egy eszköz hozzáférhet a Windows Server 2022-höz, bárki használja is.' WHERE id = 'DG7GMGF0D8H7' AND description_hu = '';
UPDATE products SET description_hu = 'Távoli asztali szolgáltatások (RDS) ügyfél-hozzáférési licenc, amellyel egy megnevezett felhasználó munkameneteket és RemoteApp-programokat futtathat Windows Server 2022 rendszeren.' WHERE id = 'DG7GMGF0D8HC' AND description_hu = '';
UPDATE products SET description_hu = 'Magalapú örökös licenc az SQL Server 2022 Standard két magjához; ügyfél-hozzáférési licencekre nincs szükség.' WHERE id = 'DG7GMGF0FLR2' AND description_hu = '';
UPDATE products SET description_hu = 'Magalapú örökös licenc az SQL Server 2022 Enterprise két magjához üzletileg kritikus számítási feladatokhoz; frissítési garanciával korlátlan virtualizációt tesz lehetővé.' WHERE id = 'DG7GMGF0FLR4' AND description_hu = '';
UPDATE products SET description_hu = 'Örökös kiszolgálólicenc egy SQL Server 2022 Standard-példányhoz a Kiszolgáló + CAL licencelési modellben; minden felhasználónak vagy eszköznek SQL Server CAL is szükséges.' WHERE id = 'DG7GMGF0FLR7' AND description_hu = '';
UPDATE products SET description_hu = 'Eszközalapú örökös licenc az Office LTSC 2024 asztali alkalmazásaihoz (Word, Excel, PowerPoint, Outlook, Access), öt évig funkciófrissítések nélkül.' WHERE id = 'DG7GMGF0P2QX' AND description_hu = '';
UPDATE products SET description_hu = 'Örökös licenc a Project Professional 2024 asztali alkalmazáshoz ütemtervek készítéséhez, erőforrások kezeléséhez és portfóliók nyomon követéséhez.' WHERE id = 'DG7GMGF0P2R1' AND description_hu = '';
UPDATE products SET description_hu = 'Örökös licenc a Visio Professional 2024 asztali alkalmazáshoz diagramok, alaprajzok és hálózati térképek rajzolásához.' WHERE id = 'DG7GMGF0P2R5' AND description_hu = '';
UPDATE products SET description_hu = 'Örökös kiszolgálólicenc egy helyszíni Exchange Server 2019 Standard kiszolgálóhoz, legfeljebb öt postaláda-adatbázissal.' WHERE id = 'DG7GMGF0F4M9' AND description_hu = '';
UPDATE products SET description_hu = 'Határozott idejű licenc a Windows Server Standard két magjához; az időtartam alatt az aktuális és a korábbi verziók is használhatók.' WHERE id = 'DG7GMGF0FKX2' AND description_hu = '';
UPDATE products SET description_hu = 'Határozott idejű licenc a Windows Server Datacenter két magjához korlátlan virtualizációval; az időtartam alatt a korábbi verziók is használhatók.' WHERE id = 'DG7GMGF0FKX6' AND description_hu = '';
UPDATE products SET description_hu = 'Határozott idejű licenc az SQL Server Standard két magjához; az időtartam alatt az aktuális és a korábbi verziók is használhatók.' WHERE id = 'DG7GMGF0FKZS' AND description_hu = '';
UPDATE products SET description_hu = 'Határozott idejű licenc az SQL Server Enterprise két magjához; az időtartam alatt az aktuális és a korábbi verziók is használhatók.' WHERE id = 'DG7GMGF0FKZV' AND description_hu = '';
UPDATE products SET description_hu = 'Egyéves Távoli asztali szolgáltatások (RDS) ügyfél-hozzáférési licenc egy megnevezett felhasználónak, amely a Windows Server aktuális és korábbi verzióihoz is érvényes.' WHERE id = 'DG7GMGF0FKW8' AND description_hu = '';
UPDATE products SET description_hu = 'Kiszolgáló-előfizetés a Windows Server Standard két magjához, az időtartam alatt megjelenő új verziókkal együtt.' WHERE id = 'DG7GMGF0M80J' AND description_hu = '';
UPDATE products SET description_hu = 'Kiszolgáló-előfizetés a Windows Server Datacenter két magjához korlátlan virtualizációval, az időtartam alatt megjelenő új verziókkal együtt.' WHERE id = 'DG7GMGF0M80L' AND description_hu = '';
UPDATE products SET description_hu = 'Kiszolgáló-előfizetés az SQL Server Standard két magjához, az időtartam alatt megjelenő új verziókkal együtt.' WHERE id = 'DG7GMGF0M81B' AND description_hu = '';
UPDATE products SET description_hu = 'Kiszolgáló-előfizetés az SQL Server Enterprise két magjához, az időtartam alatt megjelenő új verziókkal együtt.' WHERE id = 'DG7GMGF0M81D' AND description_hu = '';
UPDATE products SET description_hu = 'Foglalt kapacitás egy általános célú Standard_D2s_v5 virtuális géphez (2 vCPU, 8 GiB), kedvezménnyel a használatalapú díjszabáshoz képest.' WHERE id = 'DZH318Z0BQ4L' AND description_hu = '';
UPDATE products SET description_hu = 'Foglalt kapacitás egy memóriaoptimalizált Standard_E4s_v5 virtuális géphez (4 vCPU, 32 GiB), kedvezménnyel a használatalapú díjszabáshoz képest.' WHERE id = 'DZH318Z0BQ5C' AND description_hu = '';
UPDATE products SET description_hu = 'Foglalt kapacitás egy kipukkanó Standard_B2ms virtuális géphez (2 vCPU, 8 GiB), kedvezménnyel a használatalapú díjszabáshoz képest.' WHERE id = 'DZH318Z0BQ3T' AND description_hu = '';
UPDATE products SET description_hu = 'Előre fizetett SUSE Linux Enterprise Server szoftvercsomag egy 1 vagy 2 vCPU-s Azure-beli virtuális géphez, SUSE-támogatással.' WHERE id = 'DZH318Z0BXWB' AND description_hu = '';
UPDATE products SET description_hu = 'Előre fizetett SUSE Linux Enterprise Server for SAP Applications szoftvercsomag egy 1 vagy 2 vCPU-s Azure-beli virtuális géphez.' WHERE id = 'DZH318Z0BXWH' AND description_hu = '';
UPDATE products SET description_hu = 'Előre fizetett Red Hat Enterprise Linux szoftvercsomag egy 1–4 vCPU-s Azure-beli virtuális géphez, Red Hat-frissítésekkel.' WHERE id = 'DZH318Z0BXV9' AND description_hu = '';
